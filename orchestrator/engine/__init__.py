"""Running plans over frames: the frame record, the window ring, in-order lanes, the executor."""
