"""LendLine's pipecat processors: speech engines as services and the dialog bridge."""
