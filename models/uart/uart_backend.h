// Host-side ends of a UART: where transmitted bytes go (stdout, a file, a TCP
// client, nowhere) and where received bytes come from (stdin, a file, the TCP
// client, nothing). Host I/O errors are logged and survived, never fatal;
// only problems found while building the platform (a file that cannot be
// created, a port in use) are reported, as InputError.
#pragma once

#include "models/core/error.h"
#include "models/core/log.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace nvsoc {

// What asking an input for a byte yields.
enum class UartPoll {
    Byte,  // a byte was returned
    Later, // nothing now; an interactive source may have more later
    Never, // the source is exhausted (end of file, stdin closed)
};

// One host-side end. An output overrides write/flush, an input overrides
// poll/interactive; the TCP backend is both.
class UartBackend {
  public:
    virtual ~UartBackend() = default;
    virtual void write(const uint8_t* data, size_t len) {
        (void)data;
        (void)len;
    }
    // Pushes buffered output out (the UART calls this shortly after a write).
    virtual void flush() {}
    virtual UartPoll poll(uint8_t& byte) {
        (void)byte;
        return UartPoll::Never;
    }
    // True when bytes arrive at times the simulation cannot know (a person
    // typing, a socket): the UART then polls periodically.
    virtual bool interactive() const { return false; }
};

// Drops everything; never has input.
class NullBackend : public UartBackend {};

// Buffered writes to a stdio stream, flushed at each newline, when a lot has
// accumulated, and on flush().
class StdoutBackend : public UartBackend {
  public:
    explicit StdoutBackend(Logger* log = nullptr, std::FILE* stream = nullptr);
    ~StdoutBackend() override;
    void write(const uint8_t* data, size_t len) override;
    void flush() override;

  private:
    std::FILE* stream_;
    Logger* log_;
    size_t unflushed_ = 0;
    bool failed_ = false;
};

// Output to a file created (truncated) when the platform is built.
class FileBackend : public UartBackend {
  public:
    // Throws InputError at `where` when the file cannot be created.
    FileBackend(const std::string& path, const Location& where, Logger* log = nullptr);
    ~FileBackend() override;
    void write(const uint8_t* data, size_t len) override;
    void flush() override;

  private:
    std::FILE* file_ = nullptr;
    std::string path_;
    Logger* log_;
    size_t unflushed_ = 0;
    bool failed_ = false;
};

// A TCP server on 127.0.0.1:port serving one client at a time, in raw mode
// (no telnet negotiation). Output produced while no client is connected is
// kept (up to kMaxPending bytes) and sent when one connects; input comes
// from the connected client.
class TcpBackend : public UartBackend {
  public:
    static constexpr size_t kMaxPending = 1u << 20;

    // Throws InputError at `where` when the port cannot be bound.
    TcpBackend(uint16_t port, const Location& where, Logger* log = nullptr);
    ~TcpBackend() override;
    void write(const uint8_t* data, size_t len) override;
    void flush() override;
    UartPoll poll(uint8_t& byte) override;
    bool interactive() const override { return true; }

    bool client_connected() const { return client_ >= 0; }
    uint64_t dropped() const { return dropped_; }

  private:
    void try_accept();
    void send_pending();
    void drop_client(const char* why);
    void keep(const uint8_t* data, size_t len);

    int listen_ = -1;
    int client_ = -1;
    uint16_t port_;
    Logger* log_;
    std::string pending_; // output not yet sent
    std::deque<uint8_t> input_;
    uint64_t dropped_ = 0;
};

// Input from the process's standard input (fd 0), read without blocking. A
// terminal is switched to raw mode (restored on destruction and at exit).
// Ctrl-A x calls `on_exit`; Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A followed
// by anything else sends both bytes.
class StdinInput : public UartBackend {
  public:
    static constexpr uint8_t kEscape = 0x01; // Ctrl-A

    explicit StdinInput(std::function<void()> on_exit, Logger* log = nullptr);
    ~StdinInput() override;
    UartPoll poll(uint8_t& byte) override;
    bool interactive() const override { return true; }

  private:
    std::function<void()> on_exit_;
    Logger* log_;
    bool raw_ = false;
    bool escape_ = false;
    bool closed_ = false;
    int held_ = -1; // a byte to deliver on the next poll
};

// Every byte of a file, in order, then Never. Deterministic.
class FileInput : public UartBackend {
  public:
    // Throws InputError at `where` when the file cannot be read.
    FileInput(const std::string& path, const Location& where);
    UartPoll poll(uint8_t& byte) override;
    size_t remaining() const { return data_.size() - pos_; }

  private:
    std::vector<uint8_t> data_;
    size_t pos_ = 0;
};

} // namespace nvsoc
