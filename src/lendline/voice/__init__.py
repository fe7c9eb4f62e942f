"""Voice: speech engines, pipecat processors and transports; knows nothing about loans."""
