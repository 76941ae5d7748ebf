#include "models/uart/uart_backend.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

namespace nvsoc {

namespace {

// Flush buffered output once this much has accumulated without a newline.
constexpr size_t kFlushThreshold = 4096;

bool has_newline(const uint8_t* data, size_t len) {
    return std::memchr(data, '\n', len) != nullptr;
}

// The terminal settings stdin had before raw mode, restored by the
// destructor or, if the process ends without running it, at exit.
struct SavedTerminal {
    termios attrs{};
    bool active = false;
    bool atexit_registered = false;
};
SavedTerminal& saved_terminal() {
    static SavedTerminal saved;
    return saved;
}
void restore_terminal() {
    SavedTerminal& s = saved_terminal();
    if (!s.active) return;
    s.active = false;
    tcsetattr(STDIN_FILENO, TCSANOW, &s.attrs);
}

} // namespace

// --- stdout --------------------------------------------------------------

StdoutBackend::StdoutBackend(Logger* log, std::FILE* stream)
    : stream_(stream ? stream : stdout), log_(log) {}

StdoutBackend::~StdoutBackend() {
    flush();
}

void StdoutBackend::write(const uint8_t* data, size_t len) {
    if (failed_ || len == 0) return;
    if (std::fwrite(data, 1, len, stream_) != len) {
        failed_ = true;
        if (log_)
            log_->warn("writing to stdout failed ({}); further output is dropped",
                       std::strerror(errno));
        return;
    }
    unflushed_ += len;
    if (has_newline(data, len) || unflushed_ >= kFlushThreshold) flush();
}

void StdoutBackend::flush() {
    if (failed_ || unflushed_ == 0) return;
    unflushed_ = 0;
    if (std::fflush(stream_) != 0) {
        failed_ = true;
        if (log_)
            log_->warn("writing to stdout failed ({}); further output is dropped",
                       std::strerror(errno));
    }
}

// --- file ----------------------------------------------------------------

FileBackend::FileBackend(const std::string& path, const Location& where, Logger* log)
    : path_(path), log_(log) {
    std::filesystem::path p(path);
    std::filesystem::path dir = p.parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        throw InputError(where, fmt::format("cannot create UART output file '{}': directory '{}' "
                                            "does not exist (create it or choose another 'file')",
                                            path, dir.string()));
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_)
        throw InputError(where, fmt::format("cannot create UART output file '{}': {} (choose "
                                            "another 'file')",
                                            path, std::strerror(errno)));
}

FileBackend::~FileBackend() {
    if (!file_) return;
    flush();
    std::fclose(file_);
}

void FileBackend::write(const uint8_t* data, size_t len) {
    if (failed_ || len == 0) return;
    if (std::fwrite(data, 1, len, file_) != len) {
        failed_ = true;
        if (log_)
            log_->warn("writing to '{}' failed ({}); further output is dropped", path_,
                       std::strerror(errno));
        return;
    }
    unflushed_ += len;
    if (has_newline(data, len) || unflushed_ >= kFlushThreshold) flush();
}

void FileBackend::flush() {
    if (failed_ || unflushed_ == 0) return;
    unflushed_ = 0;
    if (std::fflush(file_) != 0) {
        failed_ = true;
        if (log_)
            log_->warn("writing to '{}' failed ({}); further output is dropped", path_,
                       std::strerror(errno));
    }
}

// --- tcp -----------------------------------------------------------------

TcpBackend::TcpBackend(uint16_t port, const Location& where, Logger* log) : port_(port), log_(log) {
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_ < 0)
        throw InputError(where, fmt::format("cannot create a TCP socket for the UART: {}",
                                            std::strerror(errno)));
    int one = 1;
    ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int err = errno;
        ::close(listen_);
        listen_ = -1;
        if (err == EADDRINUSE)
            throw InputError(where, fmt::format("TCP port {} on 127.0.0.1 is already in use; "
                                                "pick another 'port'",
                                                port));
        throw InputError(where, fmt::format("cannot listen on 127.0.0.1:{}: {}; pick another "
                                            "'port'",
                                            port, std::strerror(err)));
    }
    if (::listen(listen_, 1) != 0) {
        int err = errno;
        ::close(listen_);
        listen_ = -1;
        throw InputError(where, fmt::format("cannot listen on 127.0.0.1:{}: {}; pick another "
                                            "'port'",
                                            port, std::strerror(err)));
    }
    if (log_) log_->info("console on tcp 127.0.0.1:{}", port);
}

TcpBackend::~TcpBackend() {
    if (client_ >= 0) {
        send_pending();
        ::close(client_);
    }
    if (listen_ >= 0) ::close(listen_);
}

void TcpBackend::try_accept() {
    if (client_ >= 0 || listen_ < 0) return;
    int fd = ::accept4(listen_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED &&
            log_)
            log_->warn("accepting a client on port {} failed: {}", port_, std::strerror(errno));
        return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    client_ = fd;
    if (log_) log_->info("client connected on port {}", port_);
    send_pending();
}

void TcpBackend::drop_client(const char* why) {
    if (client_ < 0) return;
    ::close(client_);
    client_ = -1;
    input_.clear();
    if (log_) log_->info("client on port {} {}", port_, why);
}

void TcpBackend::keep(const uint8_t* data, size_t len) {
    size_t room = pending_.size() < kMaxPending ? kMaxPending - pending_.size() : 0;
    size_t n = len < room ? len : room;
    pending_.append(reinterpret_cast<const char*>(data), n);
    if (n < len) {
        if (dropped_ == 0 && log_)
            log_->warn("no client on port {} is reading; output beyond {} bytes is dropped", port_,
                       kMaxPending);
        dropped_ += len - n;
    }
}

void TcpBackend::send_pending() {
    while (client_ >= 0 && !pending_.empty()) {
        ssize_t n = ::send(client_, pending_.data(), pending_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            pending_.erase(0, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        drop_client("disconnected");
    }
}

void TcpBackend::write(const uint8_t* data, size_t len) {
    try_accept();
    keep(data, len);
    send_pending();
}

void TcpBackend::flush() {
    try_accept();
    send_pending();
}

UartPoll TcpBackend::poll(uint8_t& byte) {
    try_accept();
    send_pending();
    if (input_.empty() && client_ >= 0) {
        uint8_t buf[256];
        ssize_t n = ::recv(client_, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0)
            input_.insert(input_.end(), buf, buf + n);
        else if (n == 0)
            drop_client("disconnected");
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            drop_client("failed");
    }
    if (input_.empty()) return UartPoll::Later;
    byte = input_.front();
    input_.pop_front();
    return UartPoll::Byte;
}

// --- stdin ---------------------------------------------------------------

StdinInput::StdinInput(std::function<void()> on_exit, Logger* log)
    : on_exit_(std::move(on_exit)), log_(log) {
    SavedTerminal& s = saved_terminal();
    if (!isatty(STDIN_FILENO) || s.active) return;
    termios attrs{};
    if (tcgetattr(STDIN_FILENO, &attrs) != 0) return;
    s.attrs = attrs;
    // Raw input (every key goes to the guest, Ctrl-C included); output
    // processing stays on so the host terminal still renders newlines.
    attrs.c_iflag &=
        ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    attrs.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    attrs.c_cc[VMIN] = 1;
    attrs.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &attrs) != 0) return;
    s.active = true;
    raw_ = true;
    if (!s.atexit_registered) {
        s.atexit_registered = true;
        std::atexit(restore_terminal);
    }
}

StdinInput::~StdinInput() {
    if (raw_) restore_terminal();
}

UartPoll StdinInput::poll(uint8_t& byte) {
    if (held_ >= 0) {
        byte = static_cast<uint8_t>(held_);
        held_ = -1;
        return UartPoll::Byte;
    }
    if (closed_) return UartPoll::Never;
    for (;;) {
        pollfd p{STDIN_FILENO, POLLIN, 0};
        int r = ::poll(&p, 1, 0);
        if (r < 0 && errno == EINTR) return UartPoll::Later;
        if (r <= 0) return UartPoll::Later;
        if (p.revents & POLLNVAL) {
            closed_ = true;
            return UartPoll::Never;
        }
        uint8_t c = 0;
        ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n == 0) {
            closed_ = true;
            return UartPoll::Never;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return UartPoll::Later;
            if (log_) log_->warn("reading stdin failed ({}); no more input", std::strerror(errno));
            closed_ = true;
            return UartPoll::Never;
        }
        if (escape_) {
            escape_ = false;
            if (c == 'x' || c == 'X') {
                if (on_exit_) on_exit_();
                return UartPoll::Later;
            }
            byte = kEscape;
            if (c != kEscape) held_ = c;
            return UartPoll::Byte;
        }
        if (c == kEscape) {
            escape_ = true;
            continue; // the next byte decides
        }
        byte = c;
        return UartPoll::Byte;
    }
}

// --- file input ----------------------------------------------------------

FileInput::FileInput(const std::string& path, const Location& where) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(
            where, fmt::format("cannot read UART input file '{}': {}", path, std::strerror(errno)));
    data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) throw InputError(where, fmt::format("cannot read UART input file '{}'", path));
}

UartPoll FileInput::poll(uint8_t& byte) {
    if (pos_ >= data_.size()) return UartPoll::Never;
    byte = data_[pos_++];
    return UartPoll::Byte;
}

} // namespace nvsoc
