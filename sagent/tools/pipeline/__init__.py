"""Input to scene memory: what an input is (layout, saved memory, posed frames, video), which
perception settings build it, and the scene cache in front of it."""
