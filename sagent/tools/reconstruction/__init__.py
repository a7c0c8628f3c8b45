"""Cameras and depth for inputs that have neither: COLMAP (CPU) and VGGT (GPU), and metric scale."""
