"""The gRPC API of `framegraph serve` (package framegraph.v1, proto/framegraph/v1/).

It runs in the serve process beside HTTP, on the worker's event loop (grpc.aio), over the
same `Service`: the same subscriptions, events, limits, token and metrics.
"""
