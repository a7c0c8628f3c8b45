"""Measurement and perception tools that the DSL ops call: geometry now, perception backends later."""
