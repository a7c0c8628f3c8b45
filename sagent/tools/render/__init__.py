"""Pictures of a scene memory: the bird's-eye view and the ego view from an observer."""
