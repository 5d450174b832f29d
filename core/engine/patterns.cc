// The patterns: each is a few handlers over the one flow abstraction; a
// flow's state is its current handler (neper's design).  Handlers only stage
// ops (Worker::push); the worker loop submits them once per pass.
//
// End of test, on the data path (the same as netperf 2.7, so a stock
// netserver or netperf on the other end behaves as it always has):
//   stream:   the sender half-closes (SHUT_WR) and drains until the peer's
//             EOF; the receiver closes on EOF.
//   datagram: the sender sends three empty datagrams; an empty datagram ends
//             the receiver.
//   connect:  the server closes each connection after its response; the
//             client waits for that close (so TIME_WAIT lands on the server).
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine_internal.h"

namespace netperf::engine {

namespace {

bool transient_send_error(int64_t r) {
    // Datagram sends: a full queue or an ICMP error from an earlier datagram
    // is counted, not fatal (netperf 2.7 counts them as send errors too).
    return r == -ENOBUFS || r == -ECONNREFUSED || r == -EAGAIN || r == -EHOSTUNREACH ||
           r == -ENETUNREACH || r == -EPERM;
}

char *send_slot(Worker &w, Flow &f) {
    char *p = f.send_buf + size_t(f.send_slot) * f.slot_size;
    if (++f.send_slot >= w.cfg->send_width) f.send_slot = 0;
    return p;
}

void ts_push(Flow &f, uint64_t t) {
    f.ts[(f.ts_head + f.ts_count) % f.ts_cap] = t;
    if (f.ts_count < f.ts_cap) f.ts_count++;
    else f.ts_head = (f.ts_head + 1) % f.ts_cap;
}

uint64_t ts_pop(Flow &f) {
    if (!f.ts_count) return 0;
    uint64_t t = f.ts[f.ts_head];
    f.ts_head = (f.ts_head + 1) % f.ts_cap;
    f.ts_count--;
    return t;
}

void record(Worker &w, Flow &f, uint64_t since) {
    if (w.cfg->latency && since && w.now >= since) f.hist->record(w.now - since);
}

// ---- ending -----------------------------------------------------------

void on_closed(Worker &w, Flow &f, Tag tag, const np_completion &c);

// Stream end: wait for the peer's EOF, then close.
void on_drain(Worker &w, Flow &f, Tag tag, const np_completion &c) {
    if (tag == kShutdown) return;
    if (tag != kDrain && tag != kRecv) return;  // late completions of earlier ops
    if (c.result > 0) {
        w.push(f, kDrain, NP_OP_RECV, f.ep, f.scratch, sizeof f.scratch, NP_OPF_EOF_WAIT);
        return;
    }
    if (c.result == -ECANCELED) return;
    close_flow(w, f);
}

void end_stream(Worker &w, Flow &f) {
    f.handler = on_drain;
    if (w.cfg->dgram) {
        // Three empty datagrams, as netperf does: any one ends the receiver.
        f.handler = on_closed;
        f.end_marks = 3;
        for (int i = 0; i < 3; i++) w.push(f, kEndMark, NP_OP_SEND, f.ep, f.scratch, 0);
        return;
    }
    if (!w.cfg->peer_ends_first) w.push(f, kShutdown, NP_OP_SHUTDOWN, f.ep, nullptr, 0);
    if (!f.recv_inflight)
        w.push(f, kDrain, NP_OP_RECV, f.ep, f.scratch, sizeof f.scratch, NP_OPF_EOF_WAIT);
}

void on_closed(Worker &w, Flow &f, Tag tag, const np_completion &c) {
    if (tag == kEndMark) {
        if (--f.end_marks == 0) {
            take_info(w, f, true);
            w.flow_done(f);
        }
        return;
    }
    if (tag == kClose) {
        f.ep = nullptr;
        w.flow_done(f);
    }
    (void)c;
}

// ---- opening a flow's endpoint ------------------------------------------

// Gives the flow its endpoint: there already (datagrams, made on the control
// path), accepted (server) or connected (client).  True when it is there now.
bool open_endpoint(Worker &w, Flow &f) {
    if (f.ep) return true;
    if (f.listener)
        w.push(f, kAccept, NP_OP_ACCEPT, f.listener, nullptr, 0);
    else
        w.push(f, kConnect, NP_OP_CONNECT, nullptr, nullptr, 0);
    return false;
}

// Completion of open_endpoint's ACCEPT or CONNECT: false when it failed
// (the flow is then closed with the error).
bool endpoint_opened(Worker &w, Flow &f, Tag tag, const np_completion &c) {
    if (c.result < 0) {
        flow_fail(w, f, tag == kConnect ? "connect" : "accept", c.result);
        return false;
    }
    f.ep = c.ep;
    take_info(w, f, false);
    return true;
}

// ---- SendStream: send until deadline/count ----------------------------
// A byte stream keeps one send in flight (a partial send is finished before
// the next); datagrams keep up to send_window in flight, so a batching
// transport (io_uring, DPDK) submits many per system call.

int ss_window(const Worker &w) { return w.cfg->dgram ? std::max(w.cfg->send_window, 1) : 1; }

void ss_send(Worker &w, Flow &f) {
    const int window = ss_window(w);
    while (f.sends_inflight < window) {
        if (f.counted && f.remaining - int64_t(f.sends_inflight) * w.cfg->send_size <= 0) break;
        if (!w.pace_ok(f)) break;
        int64_t len = w.cfg->send_size;
        f.send_left = len;
        f.sends_inflight++;
        f.send_inflight = true;
        ts_push(f, w.now);
        f.cur_send = send_slot(w, f);
        w.push(f, kSend, NP_OP_SEND, f.ep, f.cur_send, uint32_t(len));
    }
}

void ss_running(Worker &w, Flow &f, Tag tag, const np_completion &c) {
    switch (tag) {
    case kConnect:
    case kAccept:
        if (!endpoint_opened(w, f, tag, c)) return;
        if (f.finishing) return end_stream(w, f);
        return ss_send(w, f);
    case kSend: {
        if (c.result < 0) {
            f.sends_inflight--;
            ts_pop(f);
            if (w.cfg->dgram && transient_send_error(c.result)) {
                f.ctr->send_errors.add(1);
                f.ctr->send_calls.add(1);
            } else if (c.result == -EPIPE || c.result == -ECONNRESET) {
                // The receiver went away: the test is over for this flow.
                f.sends_inflight = 0;
                return close_flow(w, f);
            } else {
                return flow_fail(w, f, "send", c.result);
            }
        } else {
            f.ctr->bytes_sent.add(uint64_t(c.result));
            f.ctr->send_calls.add(1);
            if (!w.cfg->dgram && c.result < f.send_left) {
                // Partial send (non-blocking stream): finish the message.
                f.send_left -= c.result;
                w.push(f, kSend, NP_OP_SEND, f.ep, f.cur_send + (w.cfg->send_size - f.send_left),
                       uint32_t(f.send_left));
                return;
            }
            f.sends_inflight--;
            record(w, f, ts_pop(f));
            if (f.counted) {
                f.remaining -= w.cfg->send_size;
                if (f.remaining <= 0) f.finishing = true;
            }
        }
        f.send_inflight = f.sends_inflight > 0;
        if (f.finishing) {
            if (f.sends_inflight == 0) end_stream(w, f);
            return;
        }
        return ss_send(w, f);
    }
    default:
        return;
    }
}

void ss_start(Worker &w, Flow &f) {
    f.handler = ss_running;
    if (open_endpoint(w, f)) ss_send(w, f);
}

void ss_deadline(Worker &w, Flow &f) {
    f.finishing = true;
    f.paced = false;
    if (f.ep && f.sends_inflight == 0 && f.handler == ss_running) end_stream(w, f);
}

void ss_resume(Worker &w, Flow &f) {
    if (f.finishing) {
        if (f.sends_inflight == 0) end_stream(w, f);
        return;
    }
    ss_send(w, f);
}

// ---- RecvStream: receive until end of stream -------------------------------

void rs_post(Worker &w, Flow &f) {
    f.recv_inflight = true;
    // With a multishot transport one RECV stays armed for the whole test.
    w.push(f, kRecv, NP_OP_RECV, f.ep, f.recv_buf, uint32_t(w.cfg->dgram ? f.recv_len : w.cfg->recv_size),
           w.multishot ? NP_OPF_MULTISHOT : 0);
}

void rs_running(Worker &w, Flow &f, Tag tag, const np_completion &c) {
    switch (tag) {
    case kConnect:
    case kAccept:
        if (endpoint_opened(w, f, tag, c)) rs_post(w, f);
        return;
    case kRecv:
        f.recv_inflight = (c.flags & NP_CF_MORE) != 0;
        if (c.result > 0) {
            f.ctr->bytes_received.add(uint64_t(c.result));
            f.ctr->recv_calls.add(1);
            if (!f.recv_inflight) rs_post(w, f);
            return;
        }
        if (c.result == -ECANCELED) return;
        if (c.result == 0) {
            // EOF, or an empty datagram: the sender is done.
            f.ctr->recv_calls.add(1);
            if (w.cfg->dgram) {
                take_info(w, f, true);
                return w.flow_done(f);
            }
            return close_flow(w, f);
        }
        if (c.result == -ECONNRESET) return close_flow(w, f);
        return flow_fail(w, f, "recv", c.result);
    default:
        return;
    }
}

void rs_start(Worker &w, Flow &f) {
    f.handler = rs_running;
    if (open_endpoint(w, f)) rs_post(w, f);
}

// Receivers end on EOF; past the deadline (or on a stop) a flow whose peer
// never connected has nothing left to wait for.  A client still connecting
// then measured nothing: it says so rather than report zero bytes.
void rs_deadline(Worker &w, Flow &f) {
    f.finishing = true;
    // (A worker calls this once per flow, at its soft deadline or stop.)
    if (f.ep && !f.closing && !w.cfg->dgram && w.cfg->receiver_ends_stream)
        w.push(f, kShutdown, NP_OP_SHUTDOWN, f.ep, nullptr, 0);
    if (f.ep || f.closing) return;
    if (!f.listener && f.error.empty()) f.error = "connect: not established by the end of the test";
    w.flow_done(f);
}
void rs_resume(Worker &, Flow &) {}

// ---- request/response messages (shared by the RR client and server) --------
// A flow has at most one message on the wire; `to_send` counts the ones
// queued behind it (requests on the client, responses on the server).

void msg_pump_send(Worker &w, Flow &f, int64_t msg_size) {
    if (f.send_inflight || f.to_send == 0) return;
    if (f.send_left <= 0) f.send_left = msg_size;
    int64_t off = msg_size - f.send_left;
    f.send_inflight = true;
    w.push(f, kSend, NP_OP_SEND, f.ep, f.send_buf + off, uint32_t(f.send_left));
}

enum class SendDone { Sent, Lost, Ended };

// Accounts a message send completion.  Lost: a datagram that could not go
// (counted as a send error, dequeued); Ended: the flow was closed (the peer
// went away, or a hard error).
SendDone msg_send_done(Worker &w, Flow &f, const np_completion &c) {
    f.send_inflight = false;
    if (c.result < 0) {
        if (w.cfg->dgram && transient_send_error(c.result)) {
            f.ctr->send_errors.add(1);
            f.send_left = 0;
            f.to_send--;
            return SendDone::Lost;
        }
        if (c.result == -EPIPE || c.result == -ECONNRESET)
            close_flow(w, f);
        else
            flow_fail(w, f, "send", c.result);
        return SendDone::Ended;
    }
    f.ctr->bytes_sent.add(uint64_t(c.result));
    f.ctr->send_calls.add(1);
    f.send_left -= c.result;
    if (w.cfg->dgram || f.send_left <= 0) {
        f.send_left = 0;
        f.to_send--;
    }
    return SendDone::Sent;
}

// ---- RR client ---------------------------------------------------------------

void rr_end(Worker &w, Flow &f) {
    end_stream(w, f);
}

void rr_pump_send(Worker &w, Flow &f) { msg_pump_send(w, f, w.cfg->request_size); }

void rr_post_recv(Worker &w, Flow &f, int64_t want) {
    if (f.recv_inflight || f.outstanding == 0) return;
    f.recv_inflight = true;
    if (w.cfg->dgram) want = int64_t(f.recv_len);  // whole datagram
    w.push(f, kRecv, NP_OP_RECV, f.ep, f.recv_buf + (w.cfg->dgram ? 0 : f.recv_have), uint32_t(want));
}

// Queues new transactions up to burst + 1 in flight.
void rr_fill(Worker &w, Flow &f) {
    while (!f.finishing && f.outstanding < int64_t(w.cfg->burst) + 1) {
        if (f.counted && f.remaining - f.outstanding <= 0) break;
        if (!w.pace_ok(f)) break;
        f.outstanding++;
        f.to_send++;
        ts_push(f, w.now);
    }
    rr_pump_send(w, f);
    rr_post_recv(w, f, w.cfg->response_size - f.recv_have);
}

void rr_client(Worker &w, Flow &f, Tag tag, const np_completion &c) {
    switch (tag) {
    case kConnect:
        if (!endpoint_opened(w, f, tag, c)) return;
        if (f.finishing) return rr_end(w, f);
        return rr_fill(w, f);
    case kSend:
        switch (msg_send_done(w, f, c)) {
        case SendDone::Ended:
            return;
        case SendDone::Lost:
            // The request never left: no response will come for it.
            f.outstanding--;
            ts_pop(f);
            if (f.finishing && f.outstanding == 0) return rr_end(w, f);
            return rr_fill(w, f);
        case SendDone::Sent:
            // Past the deadline: end as soon as the request on the wire is out.
            if (f.finishing && f.to_send == 0) return rr_end(w, f);
            return rr_pump_send(w, f);
        }
        return;
    case kRecv: {
        f.recv_inflight = false;
        if (c.result == -ECANCELED) return;
        if (c.result < 0) {
            if (c.result == -ECONNRESET) return close_flow(w, f);
            if (w.cfg->dgram && c.result == -ECONNREFUSED) {
                // ICMP error for an earlier datagram: keep waiting.
                return rr_post_recv(w, f, 0);
            }
            return flow_fail(w, f, "recv", c.result);
        }
        if (c.result == 0) {
            if (w.cfg->dgram) return rr_post_recv(w, f, 0);  // stray empty datagram
            // The server closed mid-test.
            f.ctr->recv_calls.add(1);
            return close_flow(w, f);
        }
        f.ctr->bytes_received.add(uint64_t(c.result));
        f.ctr->recv_calls.add(1);
        f.recv_have += w.cfg->dgram ? w.cfg->response_size : c.result;
        while (f.recv_have >= w.cfg->response_size && f.outstanding > 0) {
            f.recv_have -= w.cfg->response_size;
            f.outstanding--;
            f.ctr->transactions.add(1);
            record(w, f, ts_pop(f));
            if (f.counted && --f.remaining <= 0) f.finishing = true;
        }
        if (w.cfg->dgram) f.recv_have = 0;
        if (f.finishing) {
            if (f.outstanding == 0) return rr_end(w, f);
            return rr_post_recv(w, f, w.cfg->response_size - f.recv_have);
        }
        return rr_fill(w, f);
    }
    default:
        return;
    }
}

void rrc_start(Worker &w, Flow &f) {
    f.handler = rr_client;
    if (open_endpoint(w, f)) rr_fill(w, f);
}

// Past the deadline, as netperf's alarm does, transactions still in flight
// are not waited for: their responses, if any, are drained with the EOF.
void rrc_deadline(Worker &w, Flow &f) {
    f.finishing = true;
    if (f.handler != rr_client || !f.ep) return;
    if (f.paced) f.paced = false;
    if (!f.send_inflight) rr_end(w, f);
}

void rrc_resume(Worker &w, Flow &f) {
    if (f.finishing) {
        if (f.outstanding == 0) rr_end(w, f);
        return;
    }
    rr_fill(w, f);
}

// ---- RR server -------------------------------------------------------------

void rrs_post_recv(Worker &w, Flow &f) {
    if (f.recv_inflight) return;
    f.recv_inflight = true;
    int64_t want = w.cfg->dgram ? int64_t(f.recv_len) : w.cfg->request_size - f.recv_have;
    w.push(f, kRecv, NP_OP_RECV, f.ep, f.recv_buf + (w.cfg->dgram ? 0 : f.recv_have), uint32_t(want));
}

void rrs_pump_send(Worker &w, Flow &f) { msg_pump_send(w, f, w.cfg->response_size); }

void rr_server(Worker &w, Flow &f, Tag tag, const np_completion &c) {
    switch (tag) {
    case kAccept:
        if (endpoint_opened(w, f, tag, c)) rrs_post_recv(w, f);
        return;
    case kRecv:
        f.recv_inflight = false;
        if (c.result == -ECANCELED) return;
        if (c.result < 0) {
            if (c.result == -ECONNRESET) return close_flow(w, f);
            return flow_fail(w, f, "recv", c.result);
        }
        if (c.result == 0) {
            f.ctr->recv_calls.add(1);
            if (w.cfg->dgram) {
                take_info(w, f, true);
                return w.flow_done(f);
            }
            return close_flow(w, f);
        }
        f.ctr->bytes_received.add(uint64_t(c.result));
        f.ctr->recv_calls.add(1);
        f.recv_have += w.cfg->dgram ? w.cfg->request_size : c.result;
        while (f.recv_have >= w.cfg->request_size) {
            f.recv_have -= w.cfg->request_size;
            f.to_send++;
            f.ctr->transactions.add(1);
        }
        if (w.cfg->dgram) f.recv_have = 0;
        rrs_pump_send(w, f);
        return rrs_post_recv(w, f);
    case kSend:
        if (msg_send_done(w, f, c) != SendDone::Ended) rrs_pump_send(w, f);
        return;
    default:
        return;
    }
}

void rrs_start(Worker &w, Flow &f) {
    f.handler = rr_server;
    if (open_endpoint(w, f)) rrs_post_recv(w, f);
}

void rrs_deadline(Worker &w, Flow &f) {
    f.finishing = true;
    if (!f.ep && !f.closing) w.flow_done(f);
}
void rrs_resume(Worker &, Flow &) {}

// ---- Connect client (CRR, CC) -------------------------------------------------
// One transaction: CONNECT, [SEND request, RECV response], RECV until the
// server's close, CLOSE.  Latency is connect start to close.

void cc_connect(Worker &w, Flow &f);

void cc_client(Worker &w, Flow &f, Tag tag, const np_completion &c) {
    switch (tag) {
    case kConnect:
        if (c.result < 0) return flow_fail(w, f, "connect", c.result);
        f.ep = c.ep;
        f.ctr->connects.add(1);
        if (!f.info_taken) take_info(w, f, false);
        if (w.cfg->request_size > 0) {
            f.send_left = w.cfg->request_size;
            f.send_inflight = true;
            w.push(f, kSend, NP_OP_SEND, f.ep, f.send_buf, uint32_t(f.send_left));
            f.recv_have = 0;
            f.recv_inflight = true;
            w.push(f, kRecv, NP_OP_RECV, f.ep, f.recv_buf, uint32_t(w.cfg->response_size));
        } else {
            f.recv_inflight = true;
            w.push(f, kDrain, NP_OP_RECV, f.ep, f.scratch, sizeof f.scratch, NP_OPF_EOF_WAIT);
        }
        return;
    case kSend:
        f.send_inflight = false;
        if (c.result < 0) return flow_fail(w, f, "send", c.result);
        f.ctr->bytes_sent.add(uint64_t(c.result));
        f.ctr->send_calls.add(1);
        f.send_left -= c.result;
        if (f.send_left > 0) {
            f.send_inflight = true;
            w.push(f, kSend, NP_OP_SEND, f.ep, f.send_buf + (w.cfg->request_size - f.send_left),
                   uint32_t(f.send_left));
        }
        return;
    case kRecv:
        f.recv_inflight = false;
        if (c.result < 0) return flow_fail(w, f, "recv", c.result);
        if (c.result == 0) return flow_fail(w, f, "recv", -ECONNRESET);  // closed before responding
        f.ctr->bytes_received.add(uint64_t(c.result));
        f.ctr->recv_calls.add(1);
        f.recv_have += c.result;
        f.recv_inflight = true;
        if (f.recv_have < w.cfg->response_size) {
            w.push(f, kRecv, NP_OP_RECV, f.ep, f.recv_buf + f.recv_have,
                   uint32_t(w.cfg->response_size - f.recv_have));
        } else {
            w.push(f, kDrain, NP_OP_RECV, f.ep, f.scratch, sizeof f.scratch, NP_OPF_EOF_WAIT);
        }
        return;
    case kDrain:
        f.recv_inflight = false;
        if (c.result > 0) {  // unexpected bytes: keep waiting for the close
            f.recv_inflight = true;
            w.push(f, kDrain, NP_OP_RECV, f.ep, f.scratch, sizeof f.scratch, NP_OPF_EOF_WAIT);
            return;
        }
        if (c.result < 0 && c.result != -ECONNRESET) return flow_fail(w, f, "recv", c.result);
        push_close(w, f);
        return;
    case kClose:
        f.ep = nullptr;
        f.ctr->transactions.add(1);
        record(w, f, f.op_start);
        if (f.counted && --f.remaining <= 0) f.finishing = true;
        if (f.finishing) return w.flow_done(f);
        return cc_connect(w, f);
    default:
        return;
    }
}

void cc_connect(Worker &w, Flow &f) {
    if (!w.pace_ok(f)) return;
    f.op_start = w.now;
    w.push(f, kConnect, NP_OP_CONNECT, nullptr, nullptr, 0);
}

void ccc_start(Worker &w, Flow &f) {
    f.handler = cc_client;
    cc_connect(w, f);
}

// A dropped transaction: wait only for its CLOSE.
void cc_abandoned(Worker &w, Flow &f, Tag tag, const np_completion &) {
    if (tag == kClose) w.flow_done(f);
}

// Past the deadline the transaction in progress is dropped, not awaited
// (netperf's alarm interrupts it the same way): a connect stuck in SYN
// retransmission must not stretch the test.
void ccc_deadline(Worker &w, Flow &f) {
    f.finishing = true;
    f.paced = false;
    if (f.closing) return;  // the CLOSE's completion ends the flow
    if (!f.ep) return w.flow_done(f);  // paced, or a connect still in flight
    f.handler = cc_abandoned;
    push_close(w, f);
}

void ccc_resume(Worker &w, Flow &f) {
    if (f.finishing) return w.flow_done(f);
    cc_connect(w, f);
}

// ---- Connect server ----------------------------------------------------------

void cs_accept(Worker &w, Flow &f) { w.push(f, kAccept, NP_OP_ACCEPT, f.listener, nullptr, 0); }

void cc_server(Worker &w, Flow &f, Tag tag, const np_completion &c) {
    switch (tag) {
    case kAccept:
        if (c.result < 0) return flow_fail(w, f, "accept", c.result);
        f.ep = c.ep;
        f.ctr->connects.add(1);
        if (!f.info_taken) take_info(w, f, false);
        if (w.cfg->request_size > 0) {
            f.recv_have = 0;
            f.recv_inflight = true;
            w.push(f, kRecv, NP_OP_RECV, f.ep, f.recv_buf, uint32_t(w.cfg->request_size));
        } else {
            push_close(w, f);
        }
        return;
    case kRecv:
        f.recv_inflight = false;
        if (c.result <= 0) {
            // The client left without a full request: drop the connection.
            if (c.result == -ECANCELED) return;
            push_close(w, f);
            return;
        }
        f.ctr->bytes_received.add(uint64_t(c.result));
        f.ctr->recv_calls.add(1);
        f.recv_have += c.result;
        if (f.recv_have < w.cfg->request_size) {
            f.recv_inflight = true;
            w.push(f, kRecv, NP_OP_RECV, f.ep, f.recv_buf + f.recv_have,
                   uint32_t(w.cfg->request_size - f.recv_have));
            return;
        }
        f.send_left = w.cfg->response_size;
        f.send_inflight = true;
        w.push(f, kSend, NP_OP_SEND, f.ep, f.send_buf, uint32_t(f.send_left));
        return;
    case kSend:
        f.send_inflight = false;
        if (c.result < 0) {
            push_close(w, f);
            return;
        }
        f.ctr->bytes_sent.add(uint64_t(c.result));
        f.ctr->send_calls.add(1);
        f.send_left -= c.result;
        if (f.send_left > 0) {
            f.send_inflight = true;
            w.push(f, kSend, NP_OP_SEND, f.ep, f.send_buf + (w.cfg->response_size - f.send_left),
                   uint32_t(f.send_left));
            return;
        }
        push_close(w, f);
        return;
    case kClose:
        f.ep = nullptr;
        f.ctr->transactions.add(1);
        // A counted run's server stops after its share, as 2.7's netserver
        // does (its client cannot tell it the test is over).
        if (f.counted && --f.remaining <= 0) f.finishing = true;
        if (f.finishing) return w.flow_done(f);
        return cs_accept(w, f);
    default:
        return;
    }
}

void ccs_start(Worker &w, Flow &f) {
    f.handler = cc_server;
    cs_accept(w, f);
}

void ccs_deadline(Worker &w, Flow &f) {
    f.finishing = true;
    if (!f.ep && !f.closing) w.flow_done(f);  // idle in accept: done
}
void ccs_resume(Worker &, Flow &) {}

const Pattern kPatterns[] = {
    {ss_start, ss_deadline, ss_resume},     // SendStream
    {rs_start, rs_deadline, rs_resume},     // RecvStream
    {rrc_start, rrc_deadline, rrc_resume},  // RRClient
    {rrs_start, rrs_deadline, rrs_resume},  // RRServer
    {ccc_start, ccc_deadline, ccc_resume},  // ConnectClient
    {ccs_start, ccs_deadline, ccs_resume},  // ConnectServer
};

}  // namespace

const Pattern &pattern_for(Action a) { return kPatterns[int(a)]; }

void flow_fail(Worker &w, Flow &f, const char *what, int64_t err) {
    if (f.error.empty()) f.error = std::string(what) + ": " + strerror(int(-err));
    close_flow(w, f);
}

void take_info(Worker &w, Flow &f, bool at_end) {
    if (!f.ep || !f.result) return;
    if (!at_end && f.info_taken) return;
    np_endpoint_info info{};
    info.struct_size = sizeof info;
    if (w.ops->ep_info(w.ctx, f.ep, &info) != 0) return;
    FlowResult &r = *f.result;
    if (!at_end) {
        f.info_taken = true;
        f.connect_spec.flags &= ~NP_EP_INITIAL_BUFFERS;
        // A server keeps its listener's sizes (read before any connection,
        // as 2.7's netserver reports them); a client takes them from before
        // its connection connected when the transport could tell.
        if (r.sndbuf_start < 0) r.sndbuf_start = info.sndbuf_initial > 0 ? info.sndbuf_initial : info.sndbuf;
        if (r.rcvbuf_start < 0) r.rcvbuf_start = info.rcvbuf_initial > 0 ? info.rcvbuf_initial : info.rcvbuf;
    }
    r.sndbuf_end = info.sndbuf;
    r.rcvbuf_end = info.rcvbuf;
    if (info.mss > 0) r.mss = info.mss;
    r.retransmits = info.retransmits;
    if (info.cong_control[0]) r.cong_control.assign(info.cong_control, strnlen(info.cong_control, 16));
}

void push_close(Worker &w, Flow &f) {
    w.push(f, kClose, NP_OP_CLOSE, f.ep, nullptr, 0);
    f.ep = nullptr;  // the op holds it now: nothing else may touch or close it
    f.closing = true;
}

void close_flow(Worker &w, Flow &f) {
    if (!f.ep) return w.flow_done(f);
    take_info(w, f, true);
    f.handler = on_closed;
    if (f.own_ep) {
        // Datagram endpoints made on the control path are closed by the run.
        return w.flow_done(f);
    }
    push_close(w, f);
}

}  // namespace netperf::engine
