"""Exploring the framework: related behaviours, a 2-D map of indicators, text search and comparison."""
