package io.aiscope.probe.http;

import static io.aiscope.probe.http.Wire.LAST_CHUNK;
import static io.aiscope.probe.http.Wire.chunk;
import static org.assertj.core.api.Assertions.assertThat;

import io.aiscope.probe.http.HttpExchange.Outcome;
import io.aiscope.probe.http.HttpExchange.Role;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class HttpConnectionTest {
    private static final String GET = "GET /items/123?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";

    @Test
    void keepAliveConnectionCarriesThreeExchanges() {
        Wire w = new Wire();
        for (int i = 0; i < 3; i++) {
            long t = 1000 * (i + 1);
            w.in(t, 7, GET).out(t + 100, 7, OK);
        }
        assertThat(w.exchanges).hasSize(3);
        for (int i = 0; i < 3; i++) {
            HttpExchange x = w.exchanges.get(i);
            long t = 1000 * (i + 1);
            assertThat(x.role()).isEqualTo(Role.SERVER);
            assertThat(x.pid()).isEqualTo(42);
            assertThat(x.sock()).isEqualTo(0xfeedL);
            assertThat(x.method()).isEqualTo("GET");
            assertThat(x.host()).isEqualTo("a");
            assertThat(x.path()).isEqualTo("/items/123");
            assertThat(x.route()).isEqualTo("/items/{id}");
            assertThat(x.status()).isEqualTo(200);
            assertThat(x.requestBytes()).isEqualTo(GET.length());
            assertThat(x.responseBytes()).isEqualTo(OK.length());
            assertThat(x.startNs()).isEqualTo(t);
            assertThat(x.requestEndNs()).isEqualTo(t);
            assertThat(x.responseStartNs()).isEqualTo(t + 100);
            assertThat(x.firstBodyNs()).isEqualTo(t + 100);
            assertThat(x.endNs()).isEqualTo(t + 100);
            assertThat(x.outcome()).isEqualTo(Outcome.COMPLETE);
            assertThat(x.streaming()).isFalse();
            assertThat(x.tokenNs()).isEmpty();
            assertThat(x.llm()).isNull();
            assertThat(x.tids()).containsExactly(7);
            assertThat(x.startTid()).isEqualTo(7);
            assertThat(x.endTid()).isEqualTo(7);
            assertThat(x.startClock()).isEqualTo(Wire.clock(t));
            assertThat(x.endClock()).isEqualTo(Wire.clock(t + 100));
        }
        assertThat(w.connection.isHttp()).isTrue();
        assertThat(w.connection.parseErrors()).isZero();
    }

    @Test
    void pipelinedRequestsInOneCallAreAnsweredInOrder() {
        String a = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
        String b = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz";
        String c = "GET /c HTTP/1.1\r\nHost: h\r\n\r\n";
        Wire w = new Wire().in(100, 1, a + b + c)
                .out(200, 1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA")
                .out(300, 1, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nBB")
                .out(400, 1, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        assertThat(w.exchanges).extracting(HttpExchange::path).containsExactly("/a", "/b", "/c");
        assertThat(w.exchanges).extracting(HttpExchange::status).containsExactly(200, 201, 404);
        assertThat(w.exchanges).extracting(HttpExchange::startNs).containsExactly(100L, 100L, 100L);
        assertThat(w.exchanges).extracting(HttpExchange::endNs).containsExactly(200L, 300L, 400L);
        assertThat(w.exchanges).extracting(HttpExchange::requestBytes)
                .containsExactly((long) a.length(), (long) b.length(), (long) c.length());
        assertThat(w.exchanges.get(2).firstBodyNs()).isZero();
        assertThat(w.exchanges.get(2).ttftNs()).isEqualTo(-1);
    }

    @Test
    void pipelinedResponsesInOneCallAndRequestsAcrossCalls() {
        String a = "GET /a HTTP/1.1\r\n\r\n";
        String b = "GET /b HTTP/1.1\r\n\r\n";
        Wire w = new Wire().in(1, 1, a + b.substring(0, 5)).in(2, 1, b.substring(5))
                .out(3, 1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB");
        assertThat(w.exchanges).extracting(HttpExchange::path).containsExactly("/a", "/b");
        assertThat(w.exchanges.get(1).startNs()).isEqualTo(1);
        assertThat(w.exchanges.get(1).requestEndNs()).isEqualTo(2);
    }

    @Test
    void requestHeadSplitOverThreeCalls() {
        String head = "GET /split HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n";
        Wire w = new Wire().in(10, 3, head.substring(0, 4)).in(20, 4, head.substring(4, 30))
                .in(30, 3, head.substring(30)).out(40, 3, OK);
        HttpExchange x = w.only();
        assertThat(x.path()).isEqualTo("/split");
        assertThat(x.startNs()).isEqualTo(10);
        assertThat(x.requestEndNs()).isEqualTo(30);
        assertThat(x.requestBytes()).isEqualTo(head.length());
        assertThat(x.tids()).containsExactly(3, 4);
    }

    @Test
    void headTerminatorSplitAcrossCalls() {
        Wire w = new Wire().in(1, 1, "GET / HTTP/1.1\r\nHost: a\r\n\r").in(2, 1, "\n").out(3, 1, OK);
        assertThat(w.only().requestEndNs()).isEqualTo(2);
    }

    @Test
    void contentLengthBodySplitOverCalls() {
        String head = "POST /upload HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
        Wire w = new Wire().in(1, 1, head + "abc").in(2, 1, "defg").in(3, 1, "hij")
                .out(4, 1, "HTTP/1.1 204 No Content\r\n\r\n");
        HttpExchange x = w.only();
        assertThat(x.requestBytes()).isEqualTo(head.length() + 10);
        assertThat(x.requestEndNs()).isEqualTo(3);
        assertThat(x.status()).isEqualTo(204);
        assertThat(x.firstBodyNs()).isZero();
        assertThat(x.endNs()).isEqualTo(4);
    }

    @Test
    void chunkedResponseIsStreamedChunkByChunk() {
        String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n";
        Wire w = new Wire().in(1, 1, GET).out(2, 1, head).out(3, 1, chunk("[1,")).out(4, 1, chunk("2,"))
                .out(5, 1, chunk("3]") + LAST_CHUNK);
        HttpExchange x = w.only();
        assertThat(x.streaming()).isTrue();
        assertThat(x.responseStartNs()).isEqualTo(2);
        assertThat(x.firstBodyNs()).isEqualTo(3);
        assertThat(x.endNs()).isEqualTo(5);
        assertThat(x.tokenNs()).containsExactly(3, 4, 5);
        assertThat(x.responseBytes()).isEqualTo(head.length() + chunk("[1,").length() + chunk("2,").length()
                + chunk("3]").length() + LAST_CHUNK.length());
        assertThat(x.ttftNs()).isEqualTo(2);
    }

    @Test
    void chunkedBodyWithTrailersAndExtensions() {
        Wire w = new Wire().in(1, 1, GET)
                .out(2, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;name=v\r\nhello\r\n")
                .out(3, 1, "0\r\nX-Checksum: abc\r\nX-Other: d\r\n\r\n")
                .in(4, 1, GET).out(5, 1, OK);
        assertThat(w.exchanges).hasSize(2);
        assertThat(w.exchanges.getFirst().endNs()).isEqualTo(3);
        assertThat(w.connection.parseErrors()).isZero();
    }

    @Test
    void headRequestHasNoResponseBody() {
        Wire w = new Wire().in(1, 1, "HEAD /file HTTP/1.1\r\n\r\n")
                .out(2, 1, "HTTP/1.1 200 OK\r\nContent-Length: 12345\r\nTransfer-Encoding: chunked\r\n\r\n")
                .in(3, 1, GET).out(4, 1, OK);
        assertThat(w.exchanges).hasSize(2);
        HttpExchange head = w.exchanges.getFirst();
        assertThat(head.method()).isEqualTo("HEAD");
        assertThat(head.endNs()).isEqualTo(2);
        assertThat(head.firstBodyNs()).isZero();
        assertThat(head.streaming()).isFalse();
        assertThat(w.exchanges.get(1).status()).isEqualTo(200);
    }

    @Test
    void noContentAndNotModifiedHaveNoBody() {
        Wire w = new Wire().in(1, 1, "DELETE /x/1 HTTP/1.1\r\n\r\n").out(2, 1, "HTTP/1.1 204 No Content\r\n\r\n")
                .in(3, 1, GET).out(4, 1, "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n")
                .in(5, 1, GET).out(6, 1, OK);
        assertThat(w.exchanges).extracting(HttpExchange::status).containsExactly(204, 304, 200);
        assertThat(w.exchanges).extracting(HttpExchange::endNs).containsExactly(2L, 4L, 6L);
    }

    @Test
    void continueInterimResponseIsSkipped() {
        String head = "PUT /obj HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
        String interim = "HTTP/1.1 100 Continue\r\n\r\n";
        String fin = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
        Wire w = new Wire().in(1, 1, head).out(2, 1, interim).in(3, 1, "data").out(4, 1, fin);
        HttpExchange x = w.only();
        assertThat(x.status()).isEqualTo(201);
        assertThat(x.requestEndNs()).isEqualTo(3);
        assertThat(x.responseStartNs()).isEqualTo(4);
        assertThat(x.endNs()).isEqualTo(4);
        assertThat(x.responseBytes()).isEqualTo(interim.length() + fin.length());
    }

    @Test
    void interimAndFinalResponseInOneCall() {
        Wire w = new Wire().in(1, 1, "POST /p HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
                .out(2, 1, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(w.only().status()).isEqualTo(200);
        assertThat(w.only().responseStartNs()).isEqualTo(2);
    }

    @Test
    void responseUntilCloseEndsAtTheLastByteWhenTheServerCloses() {
        Wire w = new Wire().in(1, 1, "GET /old HTTP/1.0\r\n\r\n").out(2, 1, "HTTP/1.0 200 OK\r\n\r\npart one ")
                .out(3, 1, "part two");
        assertThat(w.exchanges).isEmpty();
        w.connection.close(9);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(x.endNs()).isEqualTo(3);
        assertThat(x.firstBodyNs()).isEqualTo(2);
    }

    @Test
    void clientRoleReadsResponseUntilTheServersEndOfStream() {
        Wire w = new Wire().out(1, 5, "GET /feed HTTP/1.1\r\nHost: s\r\n\r\n")
                .in(2, 5, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n").in(3, 5, "body").result(4, 5, true, 0);
        HttpExchange x = w.only();
        assertThat(x.role()).isEqualTo(Role.CLIENT);
        assertThat(x.outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(x.endNs()).isEqualTo(3);
        assertThat(x.firstBodyNs()).isEqualTo(3);
    }

    @Test
    void clientRoleSendsRequestsAndReadsResponses() {
        String body = "{\"q\":1}";
        Wire w = new Wire().out(10, 2, "POST /api/v2/search HTTP/1.1\r\nContent-Length: 7\r\n\r\n")
                .out(11, 2, body).in(20, 2, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n").in(25, 2, "{}");
        HttpExchange x = w.only();
        assertThat(w.connection.role()).isEqualTo(Role.CLIENT);
        assertThat(x.role()).isEqualTo(Role.CLIENT);
        assertThat(x.startNs()).isEqualTo(10);
        assertThat(x.requestEndNs()).isEqualTo(11);
        assertThat(x.responseStartNs()).isEqualTo(20);
        assertThat(x.firstBodyNs()).isEqualTo(25);
        assertThat(x.endNs()).isEqualTo(25);
    }

    @Test
    void threadHandOffListsBothThreads() {
        Wire w = new Wire().in(1, 1, GET).out(2, 2, OK);
        HttpExchange x = w.only();
        assertThat(x.tids()).containsExactly(1, 2);
        assertThat(x.startTid()).isEqualTo(1);
        assertThat(x.endTid()).isEqualTo(2);
        assertThat(x.startClock()).isEqualTo(Wire.clock(1));
        assertThat(x.endClock()).isEqualTo(Wire.clock(2));
        assertThat(x.oneThread()).isFalse();
    }

    @Test
    void brokenPipeMidStreamAbortsTheExchange() {
        Wire w = new Wire().in(1, 1, GET).out(2, 2, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .out(3, 2, chunk("a")).result(4, 3, false, -32);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(x.status()).isEqualTo(200);
        assertThat(x.endNs()).isEqualTo(4);
        assertThat(x.endTid()).isEqualTo(3);
        assertThat(x.tids()).containsExactly(1, 2, 3);
        assertThat(x.tokenNs()).containsExactly(3);
        assertThat(x.isError()).isTrue();
    }

    @Test
    void clientEndOfStreamMidStreamAbortsTheExchange() {
        Wire w = new Wire().in(1, 1, GET).out(2, 1, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
                .result(3, 1, true, 0);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(x.endNs()).isEqualTo(3);
    }

    @Test
    void requestWithoutResponseIsReportedWhenTheConnectionDies() {
        Wire w = new Wire().in(1, 1, GET).in(2, 1, "GET /second HTTP/1.1\r\n\r\n").result(5, 1, true, -104);
        assertThat(w.exchanges).hasSize(2);
        assertThat(w.exchanges).allSatisfy(x -> {
            assertThat(x.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(x.status()).isZero();
            assertThat(x.responseStartNs()).isZero();
            assertThat(x.endNs()).isEqualTo(5);
        });
    }

    @Test
    void closeWithExchangeInFlight() {
        Wire w = new Wire().in(1, 1, GET).out(2, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
        w.connection.close(7);
        HttpExchange x = w.only();
        assertThat(x.outcome()).isEqualTo(Outcome.CLOSED);
        assertThat(x.endNs()).isEqualTo(7);
        assertThat(x.status()).isEqualTo(200);
    }

    @Test
    void retryableErrorsAndWritesOfNothingAreNotTheEnd() {
        Wire w = new Wire().in(1, 1, GET).result(2, 1, true, -11).result(3, 1, false, -4).result(4, 1, false, 0)
                .out(5, 1, OK);
        assertThat(w.only().outcome()).isEqualTo(Outcome.COMPLETE);
    }

    @Test
    void idleConnectionEndingEmitsNothing() {
        Wire w = new Wire().in(1, 1, GET).out(2, 1, OK).result(3, 1, true, 0);
        w.connection.close(4);
        assertThat(w.exchanges).hasSize(1);
    }

    @Test
    void garbageFirstBytesMeanNotHttp() {
        Wire w = new Wire().in(1, 1, "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u00fc\u0003\u0003")
                .out(2, 1, OK).in(3, 1, GET).out(4, 1, OK);
        w.connection.close(5);
        assertThat(w.exchanges).isEmpty();
        assertThat(w.connection.state()).isEqualTo(HttpConnection.State.NOT_HTTP);
        assertThat(w.connection.isHttp()).isFalse();
    }

    @Test
    void requestWhoseFirstCallIsTooShortToShowTheMethod() {
        Wire w = new Wire().in(1, 1, "G").in(2, 2, "E").in(3, 1, "T /x HTTP/1.1\r\n\r\n").out(4, 1, OK);
        HttpExchange x = w.only();
        assertThat(x.path()).isEqualTo("/x");
        assertThat(x.startNs()).isEqualTo(1);
        assertThat(x.tids()).containsExactly(1, 2);
        assertThat(new Wire().in(1, 1, "GE").in(2, 1, "X / HTTP/1.1\r\n\r\n").connection.state())
                .isEqualTo(HttpConnection.State.NOT_HTTP);
        assertThat(new Wire().in(1, 1, "GE").out(2, 1, "GET / HTTP/1.1\r\n\r\n").connection.state())
                .isEqualTo(HttpConnection.State.NOT_HTTP);
    }

    @Test
    void callWhoseDataWasNotCapturedIsSkippedByCount() {
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
        Wire w = new Wire().in(1, 1, GET).out(2, 1, head);
        w.connection.accept(new SocketIo(3, 1, false, 10, new byte[0], new byte[0], ThreadClock.NONE));
        assertThat(w.only().endNs()).isEqualTo(3);
        assertThat(w.only().responseBytes()).isEqualTo(head.length() + 10);
    }

    @Test
    void firstResponseBytesOnAFreshConnectionMeanNotHttp() {
        Wire w = new Wire().in(1, 1, OK);
        assertThat(w.connection.state()).isEqualTo(HttpConnection.State.NOT_HTTP);
    }

    @Test
    void garbageMidConnectionIsCountedAndTheNextRequestParsed() {
        Wire w = new Wire().in(1, 1, GET).out(2, 1, OK).in(3, 1, "\u0000\u0001binary junk\r\n\r\n")
                .in(4, 1, "more junk").in(5, 1, "POST /next HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi")
                .out(6, 1, OK);
        assertThat(w.connection.parseErrors()).isEqualTo(1);
        assertThat(w.exchanges).extracting(HttpExchange::path).containsExactly("/items/123", "/next");
        assertThat(w.exchanges.get(1).startNs()).isEqualTo(5);
    }

    @Test
    void malformedHeadersAreNotARequest() {
        Wire w = new Wire().in(1, 1, GET).out(2, 1, OK)
                .in(3, 1, "GET /bad HTTP/1.1\r\nno colon here\r\n\r\n").in(4, 1, GET).out(5, 1, OK);
        assertThat(w.connection.parseErrors()).isEqualTo(1);
        assertThat(w.exchanges).extracting(HttpExchange::path).containsExactly("/items/123", "/items/123");
    }

    @Test
    void badVersionAndOverlongLinesAreRejected() {
        assertThat(new Wire().in(1, 1, "GET / HTTP/2.0\r\n\r\n").connection.parseErrors()).isEqualTo(1);
        assertThat(new Wire().in(1, 1, "GET /" + Wire.repeat('a', HttpHead.MAX_LINE) + " HTTP/1.1\r\n\r\n")
                .connection.parseErrors()).isEqualTo(1);
        Wire noEnd = new Wire();
        for (int i = 0; i < 6; i++) {
            noEnd.in(i, 1, i == 0 ? "GET / HTTP/1.1\r\n" : "X-Filler: " + Wire.repeat('x', 4000) + "\r\n");
        }
        assertThat(noEnd.connection.parseErrors()).isEqualTo(1);
        assertThat(noEnd.exchanges).isEmpty();
    }

    @Test
    void conflictingContentLengthsAreRejected() {
        Wire w = new Wire().in(1, 1, "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
        assertThat(w.connection.parseErrors()).isEqualTo(1);
    }

    @Test
    void malformedResponseDropsItsExchangeAndTheNextOneIsMatched() {
        Wire w = new Wire().in(1, 1, GET).out(2, 1, "HTTP/1.1 2xx Nope\r\n\r\n").in(3, 1, GET).out(4, 1, OK);
        assertThat(w.connection.parseErrors()).isEqualTo(1);
        assertThat(w.only().startNs()).isEqualTo(3);
    }

    @Test
    void badChunkFramingKeepsTheRequestButDropsTheResponse() {
        Wire w = new Wire().in(1, 1, GET)
                .out(2, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").in(3, 1, GET).out(4, 1, OK);
        assertThat(w.connection.parseErrors()).isEqualTo(1);
        assertThat(w.only().startNs()).isEqualTo(3);
    }

    @Test
    void connectionSeenMidMessageWaitsForARequest() {
        Wire w = new Wire(false).out(1, 1, "rest of an old body").in(2, 1, "tail of an old request")
                .in(3, 1, GET).out(4, 1, OK);
        assertThat(w.connection.role()).isEqualTo(Role.SERVER);
        assertThat(w.only().startNs()).isEqualTo(3);
        assertThat(w.connection.parseErrors()).isZero();
    }

    @Test
    void connectionSeenMidMessageLearnsItsRoleFromAResponse() {
        Wire w = new Wire(false).in(1, 1, OK).out(2, 1, GET).in(3, 1, OK);
        assertThat(w.connection.role()).isEqualTo(Role.CLIENT);
        assertThat(w.only().startNs()).isEqualTo(2);
    }

    @Test
    void connectionSeenMidMessageGivesUpAfterManyCalls() {
        Wire w = new Wire(false);
        for (int i = 0; i < HttpConnection.PROBATION_CALLS; i++) {
            w.in(i, 1, "binary");
        }
        assertThat(w.connection.state()).isEqualTo(HttpConnection.State.NOT_HTTP);
    }

    @Test
    void switchingProtocolsEndsHttp() {
        Wire w = new Wire().in(1, 1, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                .out(2, 1, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0005hello")
                .in(3, 1, "\u0081\u0085abcd12345");
        assertThat(w.only().status()).isEqualTo(101);
        assertThat(w.connection.state()).isEqualTo(HttpConnection.State.UPGRADED);
        assertThat(w.connection.parseErrors()).isZero();
    }

    @Test
    void connectTunnelEndsHttp() {
        Wire w = new Wire().out(1, 1, "CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n")
                .in(2, 1, "HTTP/1.1 200 Connection established\r\n\r\n").out(3, 1, "\u0016\u0003\u0001tls");
        assertThat(w.only().path()).isEqualTo("api.example.com:443");
        assertThat(w.connection.state()).isEqualTo(HttpConnection.State.UPGRADED);
    }

    @Test
    void absoluteFormAndAsteriskTargets() {
        Wire w = new Wire().out(1, 1, "GET http://proxy.example/a/b?c=d HTTP/1.1\r\n\r\n").in(2, 1, OK)
                .out(3, 1, "OPTIONS * HTTP/1.1\r\n\r\n").in(4, 1, OK)
                .out(5, 1, "GET https://h.example HTTP/1.1\r\n\r\n").in(6, 1, OK);
        assertThat(w.exchanges).extracting(HttpExchange::path).containsExactly("/a/b", "*", "/");
    }

    @Test
    void strayEmptyLinesBetweenRequestsAreAllowed() {
        Wire w = new Wire().in(1, 1, "POST /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nx\r\n").out(2, 1, OK)
                .in(3, 1, "\r\n" + GET).out(4, 1, OK);
        assertThat(w.exchanges).hasSize(2);
        assertThat(w.connection.parseErrors()).isZero();
    }

    @Test
    void chunkedRequestBody() {
        Wire w = new Wire().in(1, 1, "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("abc"))
                .in(2, 1, chunk("de") + LAST_CHUNK).out(3, 1, OK);
        assertThat(w.only().requestEndNs()).isEqualTo(2);
    }

    @Test
    void tooManyPipelinedRequestsAreCounted() {
        StringBuilder calls = new StringBuilder();
        for (int i = 0; i < HttpConnection.MAX_PENDING + 2; i++) {
            calls.append("GET /").append(i).append(" HTTP/1.1\r\n\r\n");
        }
        Wire w = new Wire().in(1, 1, calls.toString());
        assertThat(w.connection.pipelineOverflows()).isEqualTo(2);
        w.connection.close(2);
        assertThat(w.exchanges).hasSize(HttpConnection.MAX_PENDING);
        assertThat(w.exchanges).allSatisfy(x -> assertThat(x.outcome()).isEqualTo(Outcome.CLOSED));
    }

    @Test
    void responseWithoutRequestIsSkipped() {
        Wire w = new Wire().in(1, 1, GET).out(2, 1, OK).out(3, 1, OK).in(4, 1, GET).out(5, 1, OK);
        assertThat(w.exchanges).hasSize(2);
        assertThat(w.exchanges.get(1).startNs()).isEqualTo(4);
    }
}
