"""From frames to objects: grounding in 2D, lifting to 3D, fusion into instances, box fitting,
floor and room, and the scene builder that runs them."""
