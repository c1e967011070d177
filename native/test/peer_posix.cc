// Test peers on POSIX: another process (fork). See peer.h.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/peer.h"

namespace iocpnet {
namespace test {

RawSocket RawListen(const SocketAddress& address, int backlog) {
  int fd = socket(address.family(), SOCK_STREAM, 0);
  if (fd < 0) return kNoRawSocket;
  if (bind(fd, address.raw(), address.length()) < 0 || listen(fd, backlog) < 0) {
    close(fd);
    return kNoRawSocket;
  }
  return fd;
}

uint16_t RawLocalPort(RawSocket socket) {
  SocketAddress bound;
  socklen_t length = SocketAddress::kMaxLength;
  if (getsockname(socket, bound.raw_mutable(), &length) < 0) return 0;
  bound.set_length(length);
  return bound.port();
}

RawSocket RawAccept(RawSocket listener) { return accept(listener, nullptr, nullptr); }

RawSocket RawConnectTcp(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) < 0) {
    close(fd);
    return kNoRawSocket;
  }
  RawSetNoDelay(fd);
  return fd;
}

int64_t RawReceiveSome(RawSocket socket, void* data, size_t size) { return read(socket, data, size); }

int64_t RawSendSome(RawSocket socket, const void* data, size_t size) { return write(socket, data, size); }

void RawSetNoDelay(RawSocket socket) {
  int on = 1;
  setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

void RawShutdownWrite(RawSocket socket) { shutdown(socket, SHUT_WR); }

void RawReadToEnd(RawSocket socket) {
  uint8_t sink[256];
  while (read(socket, sink, sizeof(sink)) > 0) {
  }
}

void RawClose(RawSocket socket) { close(socket); }

void RawResetClose(RawSocket socket) {
  linger value{1, 0};
  setsockopt(socket, SOL_SOCKET, SO_LINGER, &value, sizeof(value));
  close(socket);
}

void SleepMs(int ms) { usleep(static_cast<useconds_t>(ms) * 1000); }

std::string TempPipePath(const char* tag) {
  return "/tmp/iocpnet-" + std::to_string(getpid()) + "-" + tag + ".sock";
}

void RemovePipePath(const std::string& path) { unlink(path.c_str()); }

struct Peer::State {
  pid_t pid = -1;
};

Peer::Peer(std::function<int()> body) : state_(new State()) {
  state_->pid = fork();
  if (state_->pid == 0) _exit(body());
}

Peer::~Peer() {
  if (state_->pid <= 0) return;
  kill(state_->pid, SIGKILL);
  waitpid(state_->pid, nullptr, 0);
}

int Peer::Wait() {
  int status = 0;
  if (state_->pid <= 0 || waitpid(state_->pid, &status, 0) != state_->pid) return -1;
  state_->pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void Peer::Detached(RawSocket socket) { close(socket); }

struct PeerChannel::State {
  int fds[2] = {-1, -1};
};

PeerChannel::PeerChannel() : state_(new State()) {
  if (pipe(state_->fds) != 0) state_->fds[0] = state_->fds[1] = -1;
}

PeerChannel::~PeerChannel() {
  for (int fd : state_->fds) {
    if (fd >= 0) close(fd);
  }
}

bool PeerChannel::Send(const void* data, size_t size) { return WriteFully(state_->fds[1], data, size); }

bool PeerChannel::Ready() {
  pollfd pfd{state_->fds[0], POLLIN, 0};
  return poll(&pfd, 1, 0) > 0;
}

bool PeerChannel::Receive(void* data, size_t size) { return ReadFully(state_->fds[0], data, size); }

// The child has its own write end: ours goes, so EOF comes when it exits.
void PeerChannel::PeerStarted() {
  close(state_->fds[1]);
  state_->fds[1] = -1;
}

}  // namespace test
}  // namespace iocpnet
