"""Tools, by lifecycle: `geometry` (exact query-time geometry, the camera), `io` (readers),
`perception` (grounding, lifting, fusion), `reconstruction` (COLMAP, VGGT, metric scale),
`render` (pictures), `pipeline` (input to scene memory), `synthetic` (generated rooms, tests only)."""
