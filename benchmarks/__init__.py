"""Benchmarks: accuracy against rendered ground truth, speed and memory against bare MediaPipe."""
