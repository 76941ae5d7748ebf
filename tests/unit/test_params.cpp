#include "models/core/params.h"

#include <catch2/catch.hpp>

using namespace nvsoc;

TEST_CASE("params: integers accept decimal, hex, binary and separators") {
    uint64_t v = 0;
    CHECK((parse_integer("42", v) && v == 42));
    CHECK((parse_integer("0x8000_0000", v) && v == 0x80000000));
    CHECK((parse_integer("0b101", v) && v == 5));
    CHECK((parse_integer("18446744073709551615", v) && v == UINT64_MAX));
    CHECK_FALSE(parse_integer("18446744073709551616", v)); // overflow
    CHECK_FALSE(parse_integer("0x", v));
    CHECK_FALSE(parse_integer("12abc", v));
    CHECK_FALSE(parse_integer("", v));
    CHECK_FALSE(parse_integer("-1", v));
}

TEST_CASE("params: sizes use binary suffixes") {
    uint64_t v = 0;
    CHECK((parse_size("4096", v) && v == 4096));
    CHECK((parse_size("4KiB", v) && v == 4096));
    CHECK((parse_size("1GiB", v) && v == (1ull << 30)));
    CHECK((parse_size("64GiB", v) && v == (64ull << 30)));
    CHECK((parse_size("1.5KiB", v) && v == 1536));
    CHECK((parse_size("2M", v) && v == (2ull << 20)));
    CHECK_FALSE(parse_size("1GB", v));  // ambiguous: refused
    CHECK_FALSE(parse_size("1.1B", v)); // not a whole number of bytes
    CHECK_FALSE(parse_size("big", v));
}

TEST_CASE("params: frequencies and times convert exactly") {
    uint64_t v = 0;
    CHECK((parse_frequency("3.6864MHz", v) && v == 3686400));
    CHECK((parse_frequency("10MHz", v) && v == 10000000));
    CHECK((parse_frequency("1GHz", v) && v == 1000000000));
    CHECK((parse_frequency("32768", v) && v == 32768));
    CHECK_FALSE(parse_frequency("10 parsecs", v));
    CHECK((parse_time_ps("1us", v) && v == 1000000));
    CHECK((parse_time_ps("0.5ms", v) && v == 500000000));
    CHECK((parse_time_ps("10ns", v) && v == 10000));
    CHECK((parse_time_ps("2s", v) && v == 2000000000000));
    CHECK_FALSE(parse_time_ps("10", v)); // a time needs its unit
    CHECK_FALSE(parse_time_ps("0.1ps", v));
}

TEST_CASE("params: bandwidths are bytes per second in decimal units") {
    uint64_t v = 0;
    CHECK((parse_bandwidth("128GB/s", v) && v == 128'000'000'000));
    CHECK((parse_bandwidth("900GB/s", v) && v == 900'000'000'000));
    CHECK((parse_bandwidth("500MB/s", v) && v == 500'000'000));
    CHECK((parse_bandwidth("1.5TB/s", v) && v == 1'500'000'000'000));
    CHECK((parse_bandwidth("64kB/s", v) && v == 64'000));
    CHECK((parse_bandwidth("63 GB/s", v) && v == 63'000'000'000));
    CHECK((parse_bandwidth("1000", v) && v == 1000)); // a plain number is bytes/s
    CHECK_FALSE(parse_bandwidth("128GiB/s", v));      // binary: refused, not guessed
    CHECK_FALSE(parse_bandwidth("128Gb/s", v));       // a bit rate: refused
    CHECK_FALSE(parse_bandwidth("128GB", v));         // a size, not a rate
    CHECK_FALSE(parse_bandwidth("0.5B/s", v));        // not a whole number of bytes
    ParamSpec spec{"ce-rate", ParamType::Bandwidth, "128GB/s", "", false, {},
                   1000,      1'000'000'000'000};
    Location at{"x.yaml", 2, 5};
    CHECK(convert_param(spec, "63GB/s", at, "").number == 63'000'000'000);
    CHECK_THROWS_WITH(convert_param(spec, "fast", at, ""),
                      Catch::Contains("expected a non-zero rate in bytes per second such as "
                                      "500MB/s, 128GB/s or 1.5TB/s"));
    CHECK_THROWS_WITH(convert_param(spec, "0GB/s", at, ""), Catch::Contains("non-zero rate"));
    CHECK_THROWS_WITH(convert_param(spec, "2TB/s", at, ""), Catch::Contains("out of range"));
    CHECK(std::string(param_type_name(ParamType::Bandwidth)) == "bandwidth");
}

TEST_CASE("params: booleans") {
    bool b = false;
    CHECK((parse_bool("yes", b) && b));
    CHECK((parse_bool("off", b) && !b));
    CHECK_FALSE(parse_bool("maybe", b));
}

TEST_CASE("params: convert_param reports the place and what is accepted") {
    ParamSpec spec{"backend",           ParamType::Enum, "stdout",
                   "where output goes", false,           {"stdout", "file", "tcp", "none"}};
    Location at{"x.yaml", 3, 14};
    CHECK(convert_param(spec, "tcp", at, "").text == "tcp");
    try {
        convert_param(spec, "stdot", at, "");
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK(e.line() == "x.yaml:3:14: error: 'stdot' is not a valid value for 'backend': "
                          "expected one of stdout, file, tcp, none (did you mean 'stdout'?)");
    }
    ParamSpec ranged{"count", ParamType::Integer, "1", "", false, {}, 1, 64};
    CHECK_THROWS_WITH(convert_param(ranged, "65", at, ""),
                      Catch::Contains("out of range: it must be between 1 and 64"));
    ParamSpec path{"image", ParamType::Path, "", ""};
    CHECK_THROWS_WITH(convert_param(path, "no/such/file.bin", at, "/tmp"),
                      Catch::Contains("no such file"));
}

TEST_CASE("params: defaults and required values") {
    std::vector<ParamSpec> specs = {{"a", ParamType::Integer, "7", "doc a"},
                                    {"b", ParamType::String, "", "doc b"},
                                    {"c", ParamType::Size, "", "doc c", true}};
    Params p;
    p.put("c", convert_param(specs[2], "4KiB", {"f", 1, 1}, ""));
    apply_defaults(specs, p, {"f", 1, 1}, "dev");
    CHECK(p.u64("a") == 7);
    CHECK_FALSE(p.has("b"));
    CHECK(p.u64("c") == 4096);
    Params missing;
    CHECK_THROWS_WITH(apply_defaults(specs, missing, {"f", 2, 3}, "dev"),
                      "f:2:3: error: 'dev' needs a value for 'c' (doc c)");
    CHECK_THROWS_AS(p.u64("undeclared"), std::logic_error);
}

TEST_CASE("params: did_you_mean finds close names only") {
    CHECK(did_you_mean("sise", {"size", "base", "type"}) == "size");
    CHECK(did_you_mean("frobnicate", {"size", "base", "type"}).empty());
}

TEST_CASE("params: did_you_mean_note formats the hint or the fallback") {
    CHECK(did_you_mean_note("sise", {"size", "base"}) == " (did you mean 'size'?)");
    CHECK(did_you_mean_note("frobnicate", {"size", "base"}).empty());
    CHECK(did_you_mean_note("frobnicate", {"size"}, "; known keys: size") == "; known keys: size");
}

TEST_CASE("params: ranges take numbers, ranges and labels within bounds") {
    ParamSpec lanes{.name = "lanes", .type = ParamType::Ranges, .min = 0, .max = 15};
    ParamValue v = convert_param(lanes, "3, 5,9-11", {"f", 1, 1}, "");
    REQUIRE(v.ranges.items.size() == 3);
    CHECK(v.ranges.items[0].lo == 3);
    CHECK(v.ranges.items[0].hi == 3);
    CHECK(v.ranges.items[2].lo == 9);
    CHECK(v.ranges.items[2].hi == 11);
    CHECK(v.ranges.count() == 5);
    CHECK(v.ranges.contains(10));
    CHECK_FALSE(v.ranges.contains(4));
    CHECK(convert_param(lanes, "", {"f", 1, 1}, "").ranges.empty());
    CHECK(convert_param(lanes, "0x8-0xf", {"f", 1, 1}, "").ranges.count() == 8);

    CHECK_THROWS_WITH(
        convert_param(lanes, "8-16", {"f", 2, 3}, ""),
        "f:2:3: error: '8-16' is not a valid value for 'lanes': '8-16' goes above 15");
    CHECK_THROWS_WITH(convert_param(lanes, "5-3", {"f", 1, 1}, ""),
                      Catch::Contains("'5-3' runs backwards"));
    CHECK_THROWS_WITH(convert_param(lanes, "1,,2", {"f", 1, 1}, ""),
                      Catch::Contains("an empty item"));
    CHECK_THROWS_WITH(convert_param(lanes, "x", {"f", 1, 1}, ""),
                      Catch::Contains("'x' is not a number or a range"));
    CHECK_THROWS_WITH(convert_param(lanes, "up:3", {"f", 1, 1}, ""),
                      Catch::Contains("carries a label, which this list does not take"));

    ParamSpec ordinals{
        .name = "at", .type = ParamType::Ranges, .choices = {"up", "down"}, .min = 1};
    ParamValue o = convert_param(ordinals, "up:5-8,down:3,10", {"f", 1, 1}, "");
    CHECK(o.ranges.contains(6, "up"));
    CHECK_FALSE(o.ranges.contains(6, "down"));
    CHECK(o.ranges.contains(3, "down"));
    CHECK(o.ranges.contains(10, ""));
    CHECK(o.ranges.contains(10));
    CHECK_THROWS_WITH(convert_param(ordinals, "up:0-3", {"f", 1, 1}, ""),
                      Catch::Contains("'up:0-3' starts below 1"));
    CHECK_THROWS_WITH(convert_param(ordinals, "left:3", {"f", 1, 1}, ""),
                      Catch::Contains("the label 'left', which is none of up, down"));
}

TEST_CASE("params: enum values carry the index of their choice") {
    ParamSpec speed{.name = "speed",
                    .type = ParamType::Enum,
                    .default_value = "gen5",
                    .choices = {"gen1", "gen2", "gen3", "gen4", "gen5", "gen6"}};
    Params p;
    p.put("speed", convert_param(speed, "gen3", {"f", 1, 1}, ""));
    CHECK(p.choice("speed") == 2);
    CHECK(p.str("speed") == "gen3");
    Params d;
    apply_defaults({speed}, d, {"f", 1, 1}, "dev");
    CHECK(d.choice("speed") == 4);
    CHECK_THROWS_WITH(convert_param(speed, "gen7", {"f", 1, 1}, ""),
                      Catch::Contains("expected one of gen1, gen2, gen3, gen4, gen5, gen6 (did you "
                                      "mean 'gen1'?)"));
}
