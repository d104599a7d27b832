"""Frame decoding: payload checks, decoder implementations and the model inputs they make."""
