#!/usr/bin/env bash
# dt_compare catches every kind of difference its specs rely on it to catch:
# two small trees that match a spec (a node renamed, a phandle to it, a
# listed difference), then one change at a time that must fail (exit 1) or
# be refused as a bad spec (exit 2).
#   check_dt_compare.sh DT_COMPARE
set -euo pipefail
dt_compare=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# tree NAME [SED_EXPR]: a small tree like a virt machine's, edited by sed.
tree() {
    sed "${2:-}" >"$work/$1.dts" <<'EOF'
/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    cpus {
        #address-cells = <1>;
        #size-cells = <0>;
        cpu@0 {
            device_type = "cpu";
            reg = <0>;
            intc0: interrupt-controller {
                compatible = "riscv,cpu-intc";
                #interrupt-cells = <1>;
                interrupt-controller;
            };
        };
    };
    soc {
        ic: IC_NAME@c000000 {
            compatible = IC_COMPATIBLE;
            reg = <0x0 0xc000000 0x0 0x8000>;
            interrupt-controller;
            #interrupt-cells = <2>;
            interrupts-extended = <&intc0 9>;
        };
        serial@10000000 {
            compatible = "ns16550a";
            interrupt-parent = <&ic>;
            interrupts = <10 4>;
        };
    };
};
EOF
    dtc -q -I dts -O dtb -o "$work/$1.dtb" "$work/$1.dts"
}
spec() { cat >"$work/spec"; }
# expect STATUS WHAT SAYS [OURS REF]: dt_compare on the two trees (by
# default ours and ref) with the spec exits STATUS and says SAYS.
passes=0
expect() {
    local status=0
    "$dt_compare" "$work/${4:-ours}.dtb" "$work/${5:-ref}.dtb" "$work/spec" 1 >"$work/out" 2>&1 ||
        status=$?
    if [ "$status" -eq "$1" ] && grep -qF -- "$3" "$work/out"; then
        echo "ok   $2"
        passes=$((passes + 1))
    else
        echo "FAIL $2: exit $status (expected $1), or no '$3' in its output"
        sed 's/^/     /' "$work/out"
        failures=$((failures + 1))
    fi
}

tree ours 's/IC_NAME/aplic/; s/IC_COMPATIBLE/"riscv,aplic"/'
tree ref 's/IC_NAME/interrupt-controller/; s/IC_COMPATIBLE/"qemu,aplic", "riscv,aplic"/'
good_spec() {
    cat <<'EOF'
# a comment
node /
  same #address-cells #size-cells
node /cpus
  same #address-cells #size-cells
node /cpus/cpu@{h}
  same device_type reg
node /cpus/cpu@{h}/interrupt-controller
  same compatible #interrupt-cells interrupt-controller
node /soc
node /soc/aplic@c000000 /soc/interrupt-controller@c000000 -- renamed
  same reg interrupt-controller #interrupt-cells interrupts-extended
  differ compatible -- nvsoc claims no vendor string
    nvsoc "riscv,aplic"
    qemu "qemu,aplic", "riscv,aplic"
node /soc/serial@10000000
  same compatible interrupts interrupt-parent
EOF
}
good_spec | spec
expect 0 "trees that match the spec pass (a renamed node, a phandle to it, a listed difference)" \
    "17 properties: 16 equal, 1 differ as expected, 0 ignored; 0 failures"

tree changed 's/IC_NAME/aplic/; s/IC_COMPATIBLE/"riscv,aplic"/; s/<10 4>/<10 1>/'
expect 1 "a property listed as equal that differs fails" \
    "FAIL /soc/serial@10000000 interrupts differs" changed ref

tree gone 's/IC_NAME/interrupt-controller/; s/IC_COMPATIBLE/"riscv,aplic"/'
expect 1 "a listed difference that is gone fails" "the expected difference is gone" ours gone

tree other 's/IC_NAME/aplic/; s/IC_COMPATIBLE/"nvsoc,aplic"/'
expect 1 "a listed difference with other values fails" "differs otherwise than the spec says" other ref

tree extra_prop 's/IC_NAME/aplic/; s/IC_COMPATIBLE/"riscv,aplic"/; s/interrupts = <10 4>;/&\n clock-frequency = <1>;/'
expect 1 "a property that the spec does not list fails" \
    "serial@10000000 clock-frequency: not in the spec" extra_prop ref

tree extra_node 's/IC_NAME/interrupt-controller/; s/IC_COMPATIBLE/"qemu,aplic", "riscv,aplic"/; s/^    soc {/    pmu { };\n&/'
expect 1 "a node that the spec does not list fails" \
    "/pmu: a node of the reference's tree that the spec omits" ours extra_node
{ good_spec; echo "only-qemu /pmu -- QEMU's only"; } | spec
expect 0 "a node listed as the reference's only passes" "0 failures" ours extra_node
expect 1 "a node listed as the reference's only, but absent, fails" "but it is not there"

tree wrong_parent 's/IC_NAME/aplic/; s/IC_COMPATIBLE/"riscv,aplic"/; s/interrupts-extended = <&intc0 9>;/interrupts-extended = <\&intc0 11>;/'
good_spec | spec
expect 1 "a phandle specifier that differs fails" \
    "nvsoc <&{/cpus/cpu@0/interrupt-controller} 0xb>" wrong_parent ref

good_spec | sed 's/differ compatible -- nvsoc claims no vendor string/differ compatible/' | spec
expect 2 "a difference without a reason is a bad spec" "differ needs a reason"
good_spec | sed 's/ -- renamed//' | spec
expect 2 "a renamed node without a reason is a bad spec" "needs a reason"
good_spec | sed 's/same compatible interrupts interrupt-parent/same compatible interrupts interrupt-parent status/' | spec
expect 1 "a listed property that neither tree has fails" "status: in neither tree"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
