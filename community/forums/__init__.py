"""Forums: categories, topics, posts with quoting, Markdown (sanitised), likes, mentions, flags,
trust levels and a moderation queue."""
