# list-capture: raw `zpool list`/`zpool get`/kstat output of pools in varied states, saved as artifacts (not in the default run)
# Run with: ZSE_VM_ARTIFACTS=DIR tests/vm/run.sh --flavour F list-capture
# Files land in DIR/<flavour>/; notes.txt says which command wrote each file.
load_zfs
A=/job/out/artifacts
mkdir -p "$A"
NOTES=$A/notes.txt
PROPS=name,size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,readonly
{
    echo "flavour $ZSE_FLAVOUR; zfs module $(cat /sys/module/zfs/version); kernel $(uname -r)"
    "$ZPOOL" version 2>&1
    echo "captured $(date -u +%Y-%m-%dT%H:%M:%SZ) by tests/vm/scenarios/list-capture.sh in the qemu guest, as root, LC_ALL=C"
    echo "every file holds the raw stdout of its command; stderr and the exit status are in <file>.stderr / <file>.rc"
    echo
} >"$NOTES"

# save FILE DESCRIPTION COMMAND...: raw stdout to FILE, stderr and rc beside it, a line in notes.txt
save() {
    local file=$1 what=$2 rc
    shift 2
    timeout 30 "$@" >"$A/$file" 2>"$A/$file.stderr"
    rc=$?
    echo "$rc" >"$A/$file.rc"
    [ -s "$A/$file.stderr" ] || rm -f "$A/$file.stderr"
    printf '%s: `%s` (rc %s) -- %s\n' "$file" "$*" "$rc" "$what" >>"$NOTES"
    printf -- '--- %s (rc %s): %s\n' "$file" "$rc" "$*"
    cat "$A/$file"
    [ -f "$A/$file.stderr" ] && sed 's/^/stderr: /' "$A/$file.stderr"
    return 0
}
# list_all TAG DESCRIPTION: the full property set, then each property alone
list_all() {
    save "list-$1.txt" "$2; all pools" "$ZPOOL" list -Hp -o "$PROPS"
}
each_property() {
    local p
    for p in ${PROPS//,/ }; do
        save "list-prop-$p.txt" "the property $p alone (is it accepted?)" "$ZPOOL" list -Hp -o "$p"
    done
}
kstat() {
    save "kstat-ls$1.txt" "the kstat directory$2" ls -la /proc/spl/kstat/zfs/
    save "kstat-state$1.txt" "every pool's kstat state file$2 (cat, as asked)" sh -c 'cat /proc/spl/kstat/zfs/*/state'
    save "kstat-state-named$1.txt" "the same with file names (grep -H)$2" sh -c 'grep -H . /proc/spl/kstat/zfs/*/state'
}

step "pools: healthy mirror, degraded mirror, raidz1, checkpointed, grown file vdev, read-only import"
m1=$(vdev m1 128) m2=$(vdev m2 128)
zpool create healthy mirror "$m1" "$m2"
fill healthy 20
d1=$(vdev d1 128) d2=$(vdev d2 128)
zpool create degraded mirror "$d1" "$d2"
fill degraded 10
zpool offline degraded "$d2"
r1=$(vdev r1 128) r2=$(vdev r2 128) r3=$(vdev r3 128)
zpool create rz raidz1 "$r1" "$r2" "$r3"
fill rz 30
c1=$(vdev c1 256)
zpool create checkpointed "$c1"
fill checkpointed 40
zpool checkpoint checkpointed
# freeing data after the checkpoint makes its space non-zero
rm -f /checkpointed/fill
dd if=/dev/zero of=/checkpointed/after bs=1M count=16 status=none
sync; zpool sync checkpointed
x1=$(vdev x1 128)
zpool create grown "$x1"
truncate -s 384M "$x1"
zpool reopen grown
o1=$(vdev o1 128)
zpool create readonly "$o1"
zpool export readonly
zpool import -d "$VDEVS" -o readonly=on readonly
save status.txt "zpool status -p of all pools (context)" "$ZPOOL" status -p

step "zpool list / get / kstat"
list_all varied "healthy mirror, degraded mirror (one side offline), raidz1 (pool rz: 'raidz' is a reserved pool name), checkpointed (checkpoint + data freed after it), grown (file vdev grown from 128M to 384M, not yet expanded), readonly (imported readonly=on)"
for p in healthy degraded rz checkpointed grown readonly; do
    save "list-$p.txt" "pool $p alone" "$ZPOOL" list -Hp -o "$PROPS" "$p"
done
each_property
save get-size-allocated-free.txt "zpool get for all pools (no pool argument = every pool)" "$ZPOOL" get -Hp size,allocated,free
save get-size-allocated-free-all-pools.txt "the literal word all-pools as pool argument (not a keyword in 2.1-2.4; kept to show the error)" "$ZPOOL" get -Hp size,allocated,free all-pools
save get-all-props.txt "zpool get -Hp of the same properties as list, every pool" "$ZPOOL" get -Hp size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,readonly
kstat "" ""

step "grown pool expanded (zpool online -e)"
zpool online -e grown "$x1"
save list-grown-expanded.txt "pool grown after zpool online -e" "$ZPOOL" list -Hp -o "$PROPS" grown

step "checkpoint discarded"
zpool checkpoint -d -w checkpointed 2>/dev/null || zpool checkpoint -d checkpointed
save list-checkpoint-discarded.txt "pool checkpointed after zpool checkpoint -d" "$ZPOOL" list -Hp -o "$PROPS" checkpointed

step "a pool whose only disk fails all writes: SUSPENDED (zinject)"
s1=$(vdev s1 128)
zpool create -o failmode=wait suspended "$s1"
zinject -d "$s1" -e io -T write -f 100 suspended
dd if=/dev/urandom of=/suspended/x bs=1M count=8 status=none &
# (no `zpool sync`: it would wait forever on the suspended pool; the txg timeout syncs)
for _ in $(seq 60); do
    grep -q SUSPENDED /proc/spl/kstat/zfs/suspended/state 2>/dev/null && break
    sleep 0.5
done
save status-suspended.txt "zpool status -p with the suspended pool" "$ZPOOL" status -p suspended
list_all with-suspended "all pools again, one of them SUSPENDED"
save list-suspended.txt "the suspended pool alone" "$ZPOOL" list -Hp -o "$PROPS" suspended
save get-with-suspended.txt "zpool get, every pool, one suspended" "$ZPOOL" get -Hp size,allocated,free
kstat -with-suspended " (one pool SUSPENDED)"
check "list-capture wrote its files" test -s "$A/list-varied.txt"
