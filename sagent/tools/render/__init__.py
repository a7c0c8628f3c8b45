"""Pictures of a scene memory: the bird's-eye view (evidence highlighted), the ego view from an
observer, the evidence picture of an answer, and rerun recordings of builds and answers."""
