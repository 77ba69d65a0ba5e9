"""Early-warning and landscape reports: content (numbers and conclusions), charts, HTML and PDF
rendering, and the archive service that generates them with Celery."""
