"""The IP agency directory: profiles, claims, reviews and ratings, integrity records, tiers."""
