"""Tests of the embedded simulator over real HTTP."""
