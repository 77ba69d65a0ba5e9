"""Community: forums, IP agency directory, ratings, integrity records, tiers."""
