"""Settings as a reader sees them: name, value, environment variable, description."""

from __future__ import annotations

from dataclasses import dataclass

from scarplan.settings import Settings


@dataclass(frozen=True)
class SettingRow:
    setting: str
    value: object
    env: str
    description: str


def describe_settings(settings: Settings) -> list[SettingRow]:
    return [
        SettingRow(
            setting=name,
            value=getattr(settings, name),
            env=f"{settings.model_config.get('env_prefix', '')}{name.upper()}",
            description=field.description or "",
        )
        for name, field in type(settings).model_fields.items()
    ]
