package dev.zerogate.bench.tunnel;

import java.net.InetSocketAddress;

/** No path at all: the client connects straight to the far end on loopback. The ceiling of every other row. */
final class RawPath implements TunnelPath {

    @Override
    public String name() {
        return "raw TCP loopback";
    }

    @Override
    public InetSocketAddress start(InetSocketAddress farEnd) {
        return farEnd;
    }

    @Override
    public void close() {
        // nothing was started
    }
}
