// NS16550A UART model: registers, interrupts, FIFOs, loopback, paced
// reception and the host backends. Every TEST_CASE runs in its own process.
#include "support/device_config.h"
#include "support/tlm_initiator.h"

#include "models/uart/ns16550a.h"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace nvsoc;
using sc_core::sc_start;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

constexpr uint64_t RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
                   LSR = 5, MSR = 6, SCR = 7;
constexpr unsigned kLine = 10;

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("nvsoc_uart_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void spit(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    out << data;
}

// A UART wired to an initiator and an interrupt probe, elaborated.
struct Bench {
    std::unique_ptr<Device> dev;
    test::TlmInitiator init{"init"};
    test::IrqProbe probe;

    explicit Bench(std::initializer_list<std::pair<const std::string, std::string>> params)
        : Bench(Adopt{}, test::make_device("ns16550a", "uart0", 0, params)) {}
    struct Adopt {};
    Bench(Adopt, std::unique_ptr<Device> d) : dev(std::move(d)) {
        init.socket.bind(dev->target);
        dev->irq_outputs()[0]->connect(probe, kLine);
        test::elaborate();
    }

    uint8_t rd(uint64_t off) {
        uint8_t v = init.read8(off);
        REQUIRE(init.last_status == tlm::TLM_OK_RESPONSE);
        return v;
    }
    void wr(uint64_t off, uint8_t v) {
        init.write8(off, v);
        REQUIRE(init.last_status == tlm::TLM_OK_RESPONSE);
    }
    bool irq() const { return probe.levels[kLine]; }
    unsigned rises() const { return probe.rising[kLine]; }
    nlohmann::json stats() const {
        nlohmann::json j;
        dev->stats(j);
        return j;
    }
};

// 8N1 with the divisor at 0 (the 115200-baud fallback): 10 bits per char.
const sc_time kChar8N1(86805555, sc_core::SC_PS);

int free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(s >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    ::close(s);
    return ntohs(a.sin_port);
}

int connect_client(int port) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(s >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    REQUIRE(::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    timeval tv{2, 0};
    ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
}

// Runs the simulation in small steps until the receiver has data (host
// input arrives in wall-clock time), for at most two seconds.
bool wait_for_rx(Bench& b) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < deadline) {
        sc_start(sc_time(200, SC_US));
        if (b.rd(LSR) & 0x01) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
}

struct FakeSystem : SystemControl {
    void request_exit(int status, const std::string& reason) override {
        ++exits;
        last_status = status;
        last_reason = reason;
    }
    void request_reset(const std::string&) override {}
    int exits = 0;
    int last_status = -1;
    std::string last_reason;
};

} // namespace

TEST_CASE("uart: reset values of every register", "[uart]") {
    Bench b({{"backend", "none"}});
    CHECK(b.rd(RBR) == 0x00);
    CHECK(b.rd(IER) == 0x00);
    CHECK(b.rd(IIR) == 0x01);
    CHECK(b.rd(LCR) == 0x00);
    CHECK(b.rd(MCR) == 0x00);
    CHECK(b.rd(LSR) == 0x60);
    CHECK(b.rd(MSR) == 0xb0);
    CHECK(b.rd(MSR) == 0xb0); // no delta bits to clear
    CHECK(b.rd(SCR) == 0x00);
    b.wr(LCR, 0x80);
    CHECK(b.rd(DLL) == 0x00);
    CHECK(b.rd(DLM) == 0x00);
    CHECK_FALSE(b.irq());
}

TEST_CASE("uart: DLAB selects the divisor latch", "[uart]") {
    Bench b({{"backend", "none"}});
    b.wr(LCR, 0x83);
    b.wr(DLL, 0x01);
    b.wr(DLM, 0x00);
    CHECK(b.rd(DLL) == 0x01);
    CHECK(b.rd(DLM) == 0x00);
    CHECK(b.rd(LCR) == 0x83);
    // 8N1 at 3.6864 MHz / (16 * 1) = 230400 baud: 10 bits = 43.4 us.
    auto* uart = dynamic_cast<Ns16550a*>(b.dev.get());
    REQUIRE(uart != nullptr);
    CHECK(uart->char_time() == sc_time(43402777, sc_core::SC_PS));
    b.wr(DLM, 0x12);
    b.wr(DLL, 0x34);

    b.wr(LCR, 0x03); // DLAB off: offsets 0/1 are RBR/THR and IER again
    CHECK(b.rd(RBR) == 0x00);
    CHECK(b.rd(IER) == 0x00);
    b.wr(IER, 0xff);
    CHECK(b.rd(IER) == 0x0f); // upper bits read 0
    b.wr(IER, 0x00);

    b.wr(LCR, 0x83); // the latch kept its value
    CHECK(b.rd(DLL) == 0x34);
    CHECK(b.rd(DLM) == 0x12);
    CHECK(b.stats()["tx_bytes"] == 0); // the DLL write did not transmit
    // Divisor 0 falls back to 115200 baud.
    b.wr(DLL, 0);
    b.wr(DLM, 0);
    CHECK(uart->char_time() == kChar8N1);
}

TEST_CASE("uart: scratch register", "[uart]") {
    Bench b({{"backend", "none"}});
    b.wr(SCR, 0xa5);
    CHECK(b.rd(SCR) == 0xa5);
    b.wr(SCR, 0x5a);
    CHECK(b.rd(SCR) == 0x5a);
    b.wr(LCR, 0x80); // not affected by DLAB
    CHECK(b.rd(SCR) == 0x5a);
}

TEST_CASE("uart: THR bytes go to the file backend", "[uart]") {
    std::string path = temp_path("tx.txt");
    {
        Bench b({{"backend", "file"}, {"file", path}});
        for (char c : std::string("hello\nworld"))
            b.wr(THR, static_cast<uint8_t>(c));
        CHECK(b.rd(LSR) == 0x60); // THRE and TEMT stay set: instant transmission
        CHECK(slurp(path) == "hello\n");
        sc_start(sc_time(50, SC_US)); // the partial line is flushed shortly after
        CHECK(slurp(path) == "hello\nworld");
        CHECK(b.stats()["tx_bytes"] == 11);
        CHECK(b.stats()["rx_bytes"] == 0);
    }
    std::filesystem::remove(path);
}

TEST_CASE("uart: THRE interrupt from ETBEI, cleared by IIR read and THR write", "[uart]") {
    Bench b({{"backend", "none"}});
    CHECK(b.rd(IIR) == 0x01);
    b.wr(IER, 0x02); // enabling ETBEI with THR empty raises THRE at once
    CHECK(b.irq());
    CHECK(b.rises() == 1);
    CHECK(b.rd(IIR) == 0x02); // reading IIR that reports THRE clears it
    CHECK_FALSE(b.irq());
    CHECK(b.rd(IIR) == 0x01);

    b.wr(THR, 'x'); // the write re-arms THRE (THR empties again)
    CHECK(b.irq());
    CHECK(b.rises() == 2);
    // A write while THRE is pending clears it and it comes back: one more edge.
    b.wr(THR, 'y');
    CHECK(b.irq());
    CHECK(b.rises() == 3);
    CHECK(b.rd(IIR) == 0x02);
    CHECK_FALSE(b.irq());

    // Rewriting IER with ETBEI already set does not re-raise...
    b.wr(IER, 0x02);
    CHECK(b.rd(IIR) == 0x01);
    // ...but a 0 -> 1 transition does (Linux's UART_BUG_THRE probe).
    b.wr(IER, 0x00);
    b.wr(IER, 0x02);
    CHECK(b.irq());
    CHECK(b.rd(IIR) == 0x02);
    // The line is not gated by MCR.OUT2 (MCR is 0 throughout).
    CHECK(b.rd(MCR) == 0x00);
    b.wr(IER, 0x00);
    b.wr(THR, 'z');
    CHECK_FALSE(b.irq()); // masked
}

TEST_CASE("uart: loopback delivers bytes to RBR with DR and RX interrupt", "[uart]") {
    std::string path = temp_path("loop.txt");
    {
        Bench b({{"backend", "file"}, {"file", path}});
        b.wr(MCR, 0x10);
        b.wr(IER, 0x01);
        CHECK_FALSE(b.irq());
        b.wr(THR, 'Q');
        CHECK(b.rd(LSR) == 0x61);
        CHECK(b.irq());
        CHECK(b.rd(IIR) == 0x04);
        CHECK(b.rd(RBR) == 'Q');
        CHECK(b.rd(LSR) == 0x60);
        CHECK(b.rd(IIR) == 0x01);
        CHECK_FALSE(b.irq());
        sc_start(sc_time(100, SC_US));
        CHECK(slurp(path).empty()); // loopback bytes never reach the backend
        CHECK(b.stats()["rx_bytes"] == 1);
    }
    std::filesystem::remove(path);
}

TEST_CASE("uart: FIFO trigger level and character timeout", "[uart]") {
    Bench b({{"backend", "none"}});
    b.wr(LCR, 0x03); // 8N1, divisor 0: 86.8 us per character
    b.wr(FCR, 0x41); // FIFOs on, trigger 4
    b.wr(IER, 0x01);
    b.wr(MCR, 0x10);
    CHECK(b.rd(IIR) == 0xc1); // bits 7:6 set with FIFOs enabled
    for (char c : std::string("abc"))
        b.wr(THR, static_cast<uint8_t>(c));
    CHECK(b.rd(IIR) == 0xc1); // 3 < trigger: no RX data interrupt
    CHECK_FALSE(b.irq());
    sc_start(kChar8N1 * 4.0 - sc_time(1, SC_US));
    CHECK(b.rd(IIR) == 0xc1);
    sc_start(sc_time(2, SC_US)); // 4 character times without activity
    CHECK(b.rd(IIR) == 0xcc);
    CHECK(b.irq());
    CHECK(b.rd(RBR) == 'a'); // reading restarts the timeout
    CHECK(b.rd(IIR) == 0xc1);
    CHECK_FALSE(b.irq());

    b.wr(THR, 'd');
    b.wr(THR, 'e'); // 4 in the FIFO: trigger reached
    CHECK(b.rd(IIR) == 0xc4);
    CHECK(b.irq());
    CHECK(b.rd(RBR) == 'b');
    CHECK(b.rd(IIR) == 0xc1);
    CHECK_FALSE(b.irq());

    // Trigger 8 and 14.
    b.wr(FCR, 0x87); // clears both FIFOs too
    CHECK(b.rd(LSR) == 0x60);
    for (int i = 0; i < 7; ++i)
        b.wr(THR, static_cast<uint8_t>(i));
    CHECK(b.rd(IIR) == 0xc1);
    b.wr(THR, 7);
    CHECK(b.rd(IIR) == 0xc4);
    b.wr(FCR, 0xc3);
    for (int i = 0; i < 13; ++i)
        b.wr(THR, static_cast<uint8_t>(i));
    CHECK(b.rd(IIR) == 0xc1);
    b.wr(THR, 13);
    CHECK(b.rd(IIR) == 0xc4);
}

TEST_CASE("uart: overrun after 17 bytes in FIFO mode", "[uart]") {
    Bench b({{"backend", "none"}});
    b.wr(FCR, 0x01);
    b.wr(MCR, 0x10);
    for (int i = 0; i < 16; ++i)
        b.wr(THR, static_cast<uint8_t>('A' + i));
    CHECK(b.rd(LSR) == 0x61); // full, no overrun yet
    b.wr(THR, 'Z');
    CHECK(b.rd(LSR) == 0x63); // OE
    CHECK(b.rd(LSR) == 0x61); // reading LSR cleared it
    for (int i = 0; i < 16; ++i)
        CHECK(b.rd(RBR) == 'A' + i); // the 17th was lost
    CHECK(b.rd(LSR) == 0x60);
    CHECK(b.stats()["rx_overruns"] == 1);
}

TEST_CASE("uart: overrun after 2 bytes without FIFO, line status interrupt", "[uart]") {
    Bench b({{"backend", "none"}});
    b.wr(IER, 0x05); // ERBFI | ELSI
    b.wr(MCR, 0x10);
    b.wr(THR, 'a');
    CHECK(b.rd(IIR) == 0x04);
    b.wr(THR, 'b');
    CHECK(b.irq());
    CHECK(b.rd(IIR) == 0x06); // line status has the highest priority
    CHECK(b.rd(LSR) == 0x63);
    CHECK(b.rd(IIR) == 0x04);
    CHECK(b.rd(LSR) == 0x61);
    CHECK(b.rd(RBR) == 'b'); // the new character overwrote the holding register
    CHECK(b.rd(IIR) == 0x01);
    CHECK_FALSE(b.irq());
    // Without ELSI an overrun raises no line status interrupt.
    b.wr(IER, 0x00);
    b.wr(THR, 'c');
    b.wr(THR, 'd');
    CHECK(b.rd(IIR) == 0x01);
    CHECK(b.rd(LSR) == 0x63);
}

TEST_CASE("uart: FCR clears the receive FIFO", "[uart]") {
    Bench b({{"backend", "none"}});
    b.wr(FCR, 0x01);
    b.wr(MCR, 0x10);
    b.wr(IER, 0x01);
    for (char c : std::string("12345"))
        b.wr(THR, static_cast<uint8_t>(c));
    CHECK(b.rd(IIR) == 0xc4);
    b.wr(FCR, 0x03);
    CHECK(b.rd(LSR) == 0x60);
    CHECK(b.rd(IIR) == 0xc1);
    CHECK_FALSE(b.irq());
    // Disabling the FIFOs clears them too and drops IIR bits 7:6.
    b.wr(THR, 'x');
    b.wr(THR, 'y');
    b.wr(FCR, 0x00);
    CHECK(b.rd(LSR) == 0x60);
    CHECK(b.rd(IIR) == 0x01);
    // Non-FIFO mode: DR after one byte.
    b.wr(THR, 'z');
    CHECK(b.rd(IIR) == 0x04);
    CHECK(b.rd(RBR) == 'z');
}

TEST_CASE("uart: loopback modem status mapping, deltas and interrupt", "[uart]") {
    Bench b({{"backend", "none"}});
    b.wr(MCR, 0x10); // loopback: CTS/DSR/DCD follow MCR, all drop
    CHECK(b.rd(MSR) == 0x0b);
    CHECK(b.rd(MSR) == 0x00); // reading cleared the deltas
    b.wr(IER, 0x08);
    CHECK(b.rd(IIR) == 0x01);

    b.wr(MCR, 0x11); // DTR -> DSR
    CHECK(b.irq());
    CHECK(b.rd(IIR) == 0x00);
    CHECK(b.rd(MSR) == 0x22);
    CHECK_FALSE(b.irq());
    CHECK(b.rd(IIR) == 0x01);

    b.wr(MCR, 0x12); // RTS -> CTS, DSR drops
    CHECK(b.rd(MSR) == 0x13);
    b.wr(MCR, 0x14); // OUT1 -> RI rises: no TERI
    CHECK(b.rd(MSR) == 0x41);
    b.wr(MCR, 0x18); // RI falls (TERI), OUT2 -> DCD
    CHECK(b.rd(MSR) == 0x8c);
    b.wr(MCR, 0x18); // no change, no delta
    CHECK(b.rd(MSR) == 0x80);
    CHECK_FALSE(b.irq());

    b.wr(MCR, 0x00); // out of loopback: CTS/DSR/DCD asserted again
    CHECK(b.rd(MSR) == 0xb3);
    CHECK(b.rd(MSR) == 0xb0);
}

TEST_CASE("uart: input file is received in order, paced by character time", "[uart]") {
    std::string path = temp_path("in.txt");
    spit(path, "hi!");
    {
        Bench b({{"backend", "none"}, {"input", "file"}, {"input-file", path}});
        b.wr(LCR, 0x03);
        sc_start(kChar8N1 - sc_time(1, SC_US));
        CHECK(b.rd(LSR) == 0x60);
        sc_start(sc_time(2, SC_US));
        CHECK(b.rd(LSR) == 0x61);
        CHECK(b.rd(RBR) == 'h');
        CHECK(b.rd(LSR) == 0x60);
        // The next one completes one character time after the first.
        sc_start(kChar8N1 - sc_time(2, SC_US));
        CHECK(b.rd(LSR) == 0x60);
        sc_start(sc_time(2, SC_US));
        CHECK(b.rd(RBR) == 'i');
        // Unread data holds the input back: no overrun from backends.
        sc_start(sc_time(2, sc_core::SC_MS));
        CHECK(b.rd(LSR) == 0x61);
        CHECK(b.rd(RBR) == '!');
        sc_start(sc_time(2, sc_core::SC_MS));
        CHECK(b.rd(LSR) == 0x60);
        CHECK(b.stats()["rx_bytes"] == 3);
    }
    std::filesystem::remove(path);
}

TEST_CASE("uart: input file fills the FIFO without overrun", "[uart]") {
    std::string path = temp_path("in20.bin");
    std::string data;
    for (int i = 0; i < 20; ++i)
        data.push_back(static_cast<char>(i));
    spit(path, data);
    {
        Bench b({{"backend", "none"}, {"input", "file"}, {"input-file", path}});
        b.wr(FCR, 0x01);
        b.wr(IER, 0x01);
        sc_start(sc_time(5, sc_core::SC_MS));
        CHECK(b.rd(LSR) == 0x61); // no OE
        CHECK(b.rd(IIR) == 0xc4); // trigger level 1
        for (int i = 0; i < 16; ++i)
            CHECK(b.rd(RBR) == i);
        sc_start(sc_time(5, sc_core::SC_MS));
        for (int i = 16; i < 20; ++i)
            CHECK(b.rd(RBR) == i);
        CHECK(b.rd(LSR) == 0x60);
        CHECK(b.stats()["rx_overruns"] == 0);
    }
    std::filesystem::remove(path);
}

TEST_CASE("uart: tcp backend sends to and receives from a client", "[uart]") {
    int port = free_port();
    Bench b({{"backend", "tcp"}, {"port", std::to_string(port)}});
    b.wr(THR, 'A'); // before a client connects: kept
    b.wr(THR, 'B');
    int client = connect_client(port);
    b.wr(THR, 'C');
    std::string got;
    char buf[16];
    while (got.size() < 3) {
        ssize_t n = ::recv(client, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
    }
    CHECK(got == "ABC");

    REQUIRE(::send(client, "xy", 2, 0) == 2);
    REQUIRE(wait_for_rx(b));
    CHECK(b.rd(RBR) == 'x');
    REQUIRE(wait_for_rx(b));
    CHECK(b.rd(RBR) == 'y');
    CHECK(b.stats()["rx_bytes"] == 2);
    CHECK(b.stats()["tx_bytes"] == 3);
    ::close(client);
}

TEST_CASE("uart: tcp port in use is an input error", "[uart]") {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(s >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(s, 1) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    std::string port = std::to_string(ntohs(a.sin_port));
    try {
        test::make_device("ns16550a", "uart0", 0, {{"backend", "tcp"}, {"port", port}});
        FAIL("no error for a port in use");
    } catch (const InputError& e) {
        CHECK_THAT(e.message(), Catch::Contains("in use"));
    }
    ::close(s);
}

TEST_CASE("uart: accesses wider than 1 byte are address errors", "[uart]") {
    Bench b({{"backend", "none"}});
    b.init.read(LSR, 4);
    CHECK(b.init.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.init.write(SCR - 3, 0x11223344, 4);
    CHECK(b.init.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.init.read(RBR, 2);
    CHECK(b.init.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.init.read(RBR, 8);
    CHECK(b.init.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(b.rd(SCR) == 0x00); // the wide write changed nothing
    CHECK(b.stats()["tx_bytes"] == 0);
}

TEST_CASE("uart: unmapped offset is an address error", "[uart]") {
    Bench b({{"backend", "none"}});
    b.init.read(0x10, 1);
    CHECK(b.init.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.init.write(0x10, 0x55, 1);
    CHECK(b.init.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.init.read(0xff, 1);
    CHECK(b.init.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    b.init.read(0x08, 4);
    CHECK(b.init.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_CASE("uart: backend file without file is an input error", "[uart]") {
    REQUIRE_THROWS_AS(test::make_device("ns16550a", "uart0", 0, {{"backend", "file"}}), InputError);
}

TEST_CASE("uart: other missing or bad host settings are input errors", "[uart]") {
    REQUIRE_THROWS_AS(test::make_device("ns16550a", "u1", 0, {{"backend", "tcp"}}), InputError);
    REQUIRE_THROWS_AS(
        test::make_device("ns16550a", "u2", 0, {{"backend", "none"}, {"input", "file"}}),
        InputError);
    std::string nodir = temp_path("no-such-dir") + "/out.txt";
    REQUIRE_THROWS_AS(
        test::make_device("ns16550a", "u3", 0, {{"backend", "file"}, {"file", nodir}}), InputError);
    try {
        test::make_device("ns16550a", "u4", 0, {{"backend", "file"}});
    } catch (const InputError& e) {
        CHECK_THAT(e.message(), Catch::Contains("file:"));
    }
}

TEST_CASE("uart: reset() restores every register", "[uart]") {
    Bench b({{"backend", "none"}});
    b.wr(LCR, 0x83);
    b.wr(DLL, 0x01);
    b.wr(DLM, 0x02);
    b.wr(LCR, 0x1b);
    b.wr(FCR, 0x01);
    b.wr(MCR, 0x1f);
    b.wr(IER, 0x0f);
    b.wr(SCR, 0x77);
    b.wr(THR, 'r');
    CHECK(b.irq());
    b.dev->reset();
    CHECK_FALSE(b.irq());
    CHECK(b.rd(IER) == 0x00);
    CHECK(b.rd(IIR) == 0x01);
    CHECK(b.rd(LCR) == 0x00);
    CHECK(b.rd(MCR) == 0x00);
    CHECK(b.rd(LSR) == 0x60);
    CHECK(b.rd(MSR) == 0xb0);
    CHECK(b.rd(SCR) == 0x00);
    CHECK(b.rd(RBR) == 0x00);
    b.wr(LCR, 0x80);
    CHECK(b.rd(DLL) == 0x00);
    CHECK(b.rd(DLM) == 0x00);
}

TEST_CASE("uart: device tree node, aliases and stdout-path", "[uart]") {
    auto make = [](const std::string& name, uint64_t base, unsigned irq) {
        DeviceConfig c = test::make_config("ns16550a", name, base, {{"backend", "none"}});
        c.irqs = {IrqRef{"plic", irq, {}}};
        return ModelRegistry::instance().create_device(c);
    };
    auto u0 = make("uart0", 0x10000000, 10);
    auto u1 = make("uart1", 0x10001000, 11);
    DeviceTree tree;
    DtContext ctx(tree, {});
    u0->describe_dt(ctx);
    u1->describe_dt(ctx);

    const DtNode* soc = tree.root().find_child("soc");
    REQUIRE(soc);
    const DtNode* node = soc->find_child("serial@10000000");
    REQUIRE(node);
    REQUIRE(node->prop("compatible"));
    CHECK(node->prop("compatible")->strings == std::vector<std::string>{"ns16550a"});
    REQUIRE(node->prop("clock-frequency"));
    CHECK(node->prop("clock-frequency")->cells == std::vector<uint32_t>{3686400});
    CHECK(node->prop("reg")->cells == std::vector<uint32_t>{0, 0x10000000, 0, 0x100});
    CHECK(node->prop("interrupts")->cells == std::vector<uint32_t>{10});
    CHECK(node->prop("interrupt-parent")->cells == std::vector<uint32_t>{ctx.phandle_of("plic")});
    REQUIRE(soc->find_child("serial@10001000"));

    const DtNode* aliases = tree.root().find_child("aliases");
    REQUIRE(aliases);
    REQUIRE(aliases->prop("serial0"));
    CHECK(aliases->prop("serial0")->strings.at(0) == "/soc/serial@10000000");
    REQUIRE(aliases->prop("serial1"));
    CHECK(aliases->prop("serial1")->strings.at(0) == "/soc/serial@10001000");
    const DtNode* chosen = tree.root().find_child("chosen");
    REQUIRE(chosen);
    REQUIRE(chosen->prop("stdout-path"));
    CHECK(chosen->prop("stdout-path")->strings.at(0) == "/soc/serial@10000000");
}

TEST_CASE("uart: stdin input with the Ctrl-A escapes", "[uart]") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::dup2(fds[0], 0) == 0);
    ::close(fds[0]);
    std::string keys = "a\x01\x01"
                       "b\x01xz";
    REQUIRE(::write(fds[1], keys.data(), keys.size()) == static_cast<ssize_t>(keys.size()));
    ::close(fds[1]);

    FakeSystem sys;
    DeviceConfig c =
        test::make_config("ns16550a", "uart0", 0, {{"backend", "none"}, {"input", "stdin"}});
    c.system = &sys;
    Bench b(Bench::Adopt{}, ModelRegistry::instance().create_device(c));
    b.wr(FCR, 0x01);
    sc_start(sc_time(3, sc_core::SC_MS));
    CHECK(b.rd(RBR) == 'a');
    CHECK(b.rd(RBR) == 0x01); // Ctrl-A Ctrl-A sends one Ctrl-A
    CHECK(b.rd(RBR) == 'b');
    CHECK(b.rd(RBR) == 'z'); // Ctrl-A x was not sent...
    CHECK(b.rd(LSR) == 0x60);
    CHECK(sys.exits == 1); // ...it asked the platform to exit
    CHECK(sys.last_status == 0);
    CHECK(sys.last_reason == "console escape");
}
