"""What the web pages and the printed reports share: people's words for vocabulary ids, money
and date formats, and the face-map drawing."""
