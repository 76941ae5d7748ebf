#include "models/core/dt.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <libfdt.h>

using namespace nvsoc;

namespace {
DeviceTree sample() {
    DeviceTree t;
    t.root().set_u32("#address-cells", 2).set_u32("#size-cells", 2);
    t.root().set_string("compatible", "nvsoc,test");
    DtNode& intc = t.root().child("cpus").child("cpu@0").child("interrupt-controller");
    uint32_t ph = t.new_phandle();
    intc.set_u32("#interrupt-cells", 1).set_empty("interrupt-controller").set_u32("phandle", ph);
    DtNode& dev = t.root().child("soc").child("clint@2000000");
    dev.set_reg64(0x2000000, 0x10000);
    dev.set_strings("compatible", {"sifive,clint0", "riscv,clint0"});
    dev.set_cells("interrupts-extended", {ph, 3, ph, 7});
    dev.set_bytes("blob", {0xde, 0xad});
    return t;
}
} // namespace

TEST_CASE("dt: the DTB is valid and holds every property") {
    auto dtb = sample().to_dtb();
    const void* fdt = dtb.data();
    REQUIRE(fdt_check_header(fdt) == 0);
    CHECK(fdt_totalsize(fdt) == dtb.size());
    int node = fdt_path_offset(fdt, "/soc/clint@2000000");
    REQUIRE(node >= 0);
    int len = 0;
    const char* compat = static_cast<const char*>(fdt_getprop(fdt, node, "compatible", &len));
    REQUIRE(len == static_cast<int>(sizeof("sifive,clint0") + sizeof("riscv,clint0")));
    CHECK(std::strcmp(compat, "sifive,clint0") == 0);
    CHECK(std::strcmp(compat + sizeof("sifive,clint0"), "riscv,clint0") == 0);
    const fdt32_t* reg = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, "reg", &len));
    REQUIRE(len == 16);
    CHECK(fdt32_to_cpu(reg[1]) == 0x2000000);
    CHECK(fdt32_to_cpu(reg[3]) == 0x10000);
    int intc = fdt_path_offset(fdt, "/cpus/cpu@0/interrupt-controller");
    REQUIRE(intc >= 0);
    CHECK(fdt_get_phandle(fdt, intc) == 1);
    CHECK(fdt_getprop(fdt, intc, "interrupt-controller", &len) != nullptr);
    CHECK(len == 0);
}

TEST_CASE("dt: DTS text uses labels for phandle references") {
    std::string dts = sample().to_dts();
    CHECK(dts.rfind("/dts-v1/;", 0) == 0);
    CHECK(dts.find("cpu0_intc: interrupt-controller {") != std::string::npos);
    CHECK(dts.find("interrupts-extended = <&cpu0_intc 0x3 &cpu0_intc 0x7>;") != std::string::npos);
    CHECK(dts.find("compatible = \"sifive,clint0\", \"riscv,clint0\";") != std::string::npos);
    CHECK(dts.find("reg = <0x0 0x2000000 0x0 0x10000>;") != std::string::npos);
    CHECK(dts.find("blob = [de ad];") != std::string::npos);
    CHECK(dts.find("\t\tinterrupt-controller;\n") != std::string::npos);
}

TEST_CASE("dt: setting a property twice replaces it") {
    DtNode n("x");
    n.set_u32("a", 1);
    n.set_string("a", "two");
    REQUIRE(n.props().size() == 1);
    CHECK(n.prop("a")->strings.at(0) == "two");
    CHECK(&n.child("c") == &n.child("c"));
}
