"""Patent XML parsers and bulk loading into the search backends."""
