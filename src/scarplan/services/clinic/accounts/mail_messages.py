"""The words of the clinic's e-mails: plain text with a simple HTML twin.

An e-mail can be read by anyone who sees the inbox: it says when an appointment is and the
practical steps to prepare, never scores, findings or notes, and never an internal id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from scarplan.adapters.presentation.wording import day as day_words


@dataclass(frozen=True)
class MailText:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def _compose(
    subject: str,
    greeting: str,
    paragraphs: list[str],
    steps: list[str],
    link: Link | None,
    footer: list[str],
) -> MailText:
    text_parts = [greeting, "", *(p + "\n" for p in paragraphs)]
    if steps:
        text_parts += [*(f"- {step}" for step in steps), ""]
    if link is not None:
        text_parts += [f"{link.label}:", link.url, ""]
    text_parts += ["--", *footer]
    html_parts = [f"<p>{escape(greeting)}</p>", *(f"<p>{escape(p)}</p>" for p in paragraphs)]
    if steps:
        html_parts.append("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in steps) + "</ul>")
    if link is not None:
        html_parts.append(f'<p><a href="{escape(link.url)}">{escape(link.label)}</a></p>')
    html_parts.append(
        '<p style="color:#555;font-size:90%">' + "<br>".join(escape(f) for f in footer) + "</p>"
    )
    html = (
        '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;max-width:40em">'
        + "".join(html_parts)
        + "</body></html>"
    )
    return MailText(subject, "\n".join(text_parts).strip() + "\n", html)


def _when(on: datetime) -> str:
    return f"{day_words(on)} at {on:%H:%M} UTC"


def invitation(
    clinic_name: str, full_name: str, username: str, link: str, expires_at: datetime
) -> MailText:
    return _compose(
        f"{clinic_name}: set up your patient portal",
        f"Hello {full_name},",
        [
            f"{clinic_name} has made you an account on its patient portal, where you can see "
            "your plan, how to prepare for each visit and your home routine.",
            f"Your username is {username}. Open the link below to choose your own password. "
            f"The link works once and until {_when(expires_at)}.",
        ],
        [],
        Link("Choose your password", link),
        [
            f"If you did not expect this e-mail, you can ignore it, or tell {clinic_name}.",
            "If the link has expired, ask the clinic to send a new invitation.",
        ],
    )


def _unsubscribe_footer(clinic_name: str, unsubscribe: str) -> list[str]:
    return [
        f"You receive reminders from {clinic_name} because you asked for them.",
        f"To stop them, open {unsubscribe} or turn them off in the portal.",
    ]


def session_reminder(
    clinic_name: str,
    full_name: str,
    procedure: str,
    on: date,
    start: str | None,
    where: str | None,
    steps: list[str],
    portal: str,
    unsubscribe: str,
) -> MailText:
    at = f" at {start}" if start else ""
    place = f" ({where})" if where else ""
    paragraphs = [
        f"This is a reminder of your appointment on {day_words(on)}{at}{place}: {procedure}."
    ]
    if steps:
        paragraphs.append("To prepare:")
    return _compose(
        f"Reminder: your appointment on {day_words(on)}{at}",
        f"Hello {full_name},",
        paragraphs
        + ([] if steps else ["There is nothing special to prepare; the portal has the details."]),
        steps,
        Link("Your portal", portal),
        _unsubscribe_footer(clinic_name, unsubscribe),
    )


def routine_reminder(
    clinic_name: str,
    full_name: str,
    change_day: date,
    change: str,
    procedure: str,
    on: date,
    portal: str,
    unsubscribe: str,
) -> MailText:
    return _compose(
        f"From {day_words(change_day)}: a change to your home routine",
        f"Hello {full_name},",
        [
            f"From {day_words(change_day)}: {change}",
            f"This is because your {procedure} appointment is on {day_words(on)}.",
        ],
        [],
        Link("Your routine in the portal", portal),
        _unsubscribe_footer(clinic_name, unsubscribe),
    )
