"""Patient reports: the content as data (content.py), the session timeline (timeline.py), and
HTML and PDF from the same templates (render.py)."""
