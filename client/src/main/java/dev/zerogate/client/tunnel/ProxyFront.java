package dev.zerogate.client.tunnel;

import dev.zerogate.proto.tunnel.v1.StreamOpened;
import dev.zerogate.proto.tunnel.v1.StreamRefused;
import dev.zerogate.tunnel.ResetCode;
import dev.zerogate.tunnel.netty.ChannelStreamEnd;
import dev.zerogate.tunnel.netty.SessionHandler;
import dev.zerogate.tunnel.netty.Splice;
import dev.zerogate.tunnel.netty.StreamEnd;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first handler of every connection to {@code zerogate up}: reads a SOCKS5 request (RFC
 * 1928, no authentication, CONNECT; a name is passed on unresolved, so the connector resolves it
 * in the private network) or an HTTP {@code CONNECT host:port}, then carries the connection as a
 * zerogate flow — or, for a destination that is no resource of yours, refuses it or connects
 * directly, as {@code --others} says. Limits are checked before anything is kept: a SOCKS name
 * is at most 255 bytes, an HTTP request head at most 8 KiB.
 */
final class ProxyFront extends ByteToMessageDecoder {

    private static final int MAX_HTTP_HEAD = 8 * 1024;
    private static final int SOCKS_VERSION = 5;

    private final TunnelClient tunnel;
    private final boolean othersDirect;
    private final PrintWriter err;
    private boolean greeted;
    private boolean decided;

    ProxyFront(TunnelClient tunnel, boolean othersDirect, PrintWriter err) {
        this.tunnel = tunnel;
        this.othersDirect = othersDirect;
        this.err = err;
    }

    /** How to answer the application, per protocol. */
    private interface Replies {
        ByteBuf success();

        ByteBuf failure(int socksCode, String message);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (decided || !in.isReadable()) {
            return;
        }
        if (in.getByte(in.readerIndex()) == SOCKS_VERSION) {
            decodeSocks(ctx, in);
        } else {
            decodeHttp(ctx, in);
        }
    }

    private void decodeSocks(ChannelHandlerContext ctx, ByteBuf in) {
        if (!greeted) {
            if (in.readableBytes() < 2 || in.readableBytes() < 2 + in.getUnsignedByte(in.readerIndex() + 1)) {
                return;
            }
            in.skipBytes(1);
            int methods = in.readUnsignedByte();
            boolean noAuth = false;
            for (int i = 0; i < methods; i++) {
                noAuth |= in.readUnsignedByte() == 0;
            }
            if (!noAuth) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[]{5, (byte) 0xFF})).addListener(ChannelFutureListener.CLOSE);
                decided = true;
                return;
            }
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[]{5, 0}));
            greeted = true;
        }
        if (in.readableBytes() < 5) {
            return;
        }
        int start = in.readerIndex();
        int command = in.getUnsignedByte(start + 1);
        int type = in.getUnsignedByte(start + 3);
        int addressLength = switch (type) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> 1 + in.getUnsignedByte(start + 4);
            default -> -1;
        };
        Replies replies = socksReplies();
        if (addressLength < 0) {
            fail(ctx, replies, 8, "address type " + type + " is not supported");
            return;
        }
        if (in.readableBytes() < 4 + addressLength + 2) {
            return;
        }
        in.skipBytes(4);
        String host;
        if (type == 3) {
            byte[] name = new byte[in.readUnsignedByte()];
            in.readBytes(name);
            host = new String(name, StandardCharsets.US_ASCII);
        } else {
            byte[] raw = new byte[addressLength];
            in.readBytes(raw);
            try {
                host = InetAddress.getByAddress(raw).getHostAddress();
            } catch (UnknownHostException e) {
                fail(ctx, replies, 8, "a malformed address");
                return;
            }
        }
        int port = in.readUnsignedShort();
        if (command != 1) {
            fail(ctx, replies, 7, "only CONNECT is supported");
            return;
        }
        connect(ctx, host, port, replies);
    }

    private static Replies socksReplies() {
        return new Replies() {
            @Override
            public ByteBuf success() {
                return Unpooled.wrappedBuffer(new byte[]{5, 0, 0, 1, 0, 0, 0, 0, 0, 0});
            }

            @Override
            public ByteBuf failure(int socksCode, String message) {
                return Unpooled.wrappedBuffer(new byte[]{5, (byte) socksCode, 0, 1, 0, 0, 0, 0, 0, 0});
            }
        };
    }

    private void decodeHttp(ChannelHandlerContext ctx, ByteBuf in) {
        int end = indexOf(in, "\r\n\r\n");
        if (end < 0) {
            if (in.readableBytes() > MAX_HTTP_HEAD) {
                fail(ctx, httpReplies(), 0, "the request head is longer than 8 KiB");
            }
            return;
        }
        String head = in.readCharSequence(end - in.readerIndex() + 4, StandardCharsets.ISO_8859_1).toString();
        String[] line = head.substring(0, head.indexOf("\r\n")).split(" ");
        Replies replies = httpReplies();
        if (line.length != 3 || !line[0].equals("CONNECT")) {
            fail(ctx, replies, 0, "this proxy only tunnels: use CONNECT host:port (or SOCKS5)");
            return;
        }
        int colon = line[1].lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(line[1].substring(colon + 1));
        } catch (RuntimeException e) {
            port = -1;
        }
        if (colon <= 0 || port < 1 || port > 65535) {
            fail(ctx, replies, 0, "CONNECT needs host:port");
            return;
        }
        String host = line[1].substring(0, colon).replace("[", "").replace("]", "");
        connect(ctx, host, port, replies);
    }

    private static Replies httpReplies() {
        return new Replies() {
            @Override
            public ByteBuf success() {
                return Unpooled.copiedBuffer("HTTP/1.1 200 Connection established\r\n\r\n", StandardCharsets.US_ASCII);
            }

            @Override
            public ByteBuf failure(int socksCode, String message) {
                byte[] body = ("zerogate: " + message + "\n").getBytes(StandardCharsets.UTF_8);
                return Unpooled.copiedBuffer("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n" + new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            }
        };
    }

    private static int indexOf(ByteBuf in, String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = in.readerIndex(); i + needle.length <= in.writerIndex(); i++) {
            for (int j = 0; j < needle.length; j++) {
                if (in.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Opens the flow; the application hears success only once the connector dialled. */
    private void connect(ChannelHandlerContext ctx, String host, int port, Replies replies) {
        decided = true;
        Channel local = ctx.channel();
        local.config().setAutoRead(false);
        ChannelStreamEnd socket = new ChannelStreamEnd(local);
        StreamEnd end = new StreamEnd() {
            @Override
            public void write(ByteBuf data, Runnable written) {
                socket.write(data, written);
            }

            @Override
            public void shutdownOutput() {
                socket.shutdownOutput();
            }

            @Override
            public void close(ResetCode code, String message) {
                socket.close(code, message);
            }

            @Override
            public void pauseReading() {
                socket.pauseReading();
            }

            @Override
            public void resumeReading() {
                socket.resumeReading();
            }

            @Override
            public void opened(StreamOpened opened) {
                local.writeAndFlush(replies.success());
            }

            @Override
            public void refused(StreamRefused refused) {
                report(host, port, "the connector refused: " + refused.getMessage());
                local.writeAndFlush(replies.failure(5, "the connector refused: " + refused.getMessage()));
            }
        };
        tunnel.open(host, port, end, (SessionHandler session, Integer id) -> {
            socket.attach(session, id, reason -> { });
            local.pipeline().remove(this); // bytes sent after the request follow as the flow's first bytes
        }).whenComplete((id, failure) -> {
            if (failure == null) {
                return;
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
            if (cause instanceof TunnelClient.FlowDeniedException denied && denied.notAResource()) {
                if (othersDirect) {
                    local.eventLoop().execute(() -> direct(ctx, host, port, replies));
                } else {
                    local.eventLoop().execute(() -> fail(ctx, replies, 2, host + ":" + port
                            + " is not a zerogate resource (start with --others=direct to pass such destinations through)"));
                }
                return;
            }
            String message = TunnelCommand.describe(failure, host, port);
            report(host, port, message);
            local.eventLoop().execute(() -> fail(ctx, replies, 2, message));
        });
    }

    /** Not a resource, and --others=direct: a plain connection from this machine. */
    private void direct(ChannelHandlerContext ctx, String host, int port, Replies replies) {
        Channel local = ctx.channel();
        new Bootstrap().group(local.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false).option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                    }
                })
                .connect(host, port).addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        fail(ctx, replies, 4, "cannot connect to " + host + ":" + port + " directly");
                        return;
                    }
                    Channel remote = connected.channel();
                    local.writeAndFlush(replies.success());
                    remote.pipeline().addLast(new Splice(local, bytes -> { }, () -> { }));
                    local.pipeline().addLast(new Splice(remote, bytes -> { }, () -> { }));
                    local.pipeline().remove(this);
                    local.config().setAutoRead(true);
                    remote.config().setAutoRead(true);
                });
    }

    private void report(String host, int port, String message) {
        synchronized (err) {
            err.println("zerogate: " + message);
            err.flush();
        }
    }

    private void fail(ChannelHandlerContext ctx, Replies replies, int socksCode, String message) {
        decided = true;
        ctx.writeAndFlush(replies.failure(socksCode, message)).addListener(ChannelFutureListener.CLOSE);
    }
}
