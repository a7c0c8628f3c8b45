"""Procedural rooms with exact ground truth (a ray caster renders them). Tests and benchmarks
use it; the query path never imports it (a layer contract keeps it so)."""
