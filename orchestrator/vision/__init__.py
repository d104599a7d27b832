"""Vision building blocks the features share: typed detections, crops, tracking."""
