#!/bin/sh
# PID 1 of the guest, exec'd by the image's /sbin/zse-init once the job share
# is mounted on /job. Runs /job/scenario.sh as root, writes /job/out/rc and
# powers the guest off. Everything is echoed to the serial console too.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ip link set lo up
hostname zse-vm
echo "ZSE-BOOTED uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r)" >/dev/console
mkdir -p /usr/local/bin /job/out
install -m 0755 /job/zpool-status-exporter /usr/local/bin/zpool-status-exporter
. /job/env
export ZSE_FLAVOUR ZSE_SCENARIO ZSE_CAPTURE
cd /tmp || exit 1
(
    timeout -k 5 "${ZSE_GUEST_TIMEOUT:-600}" /bin/bash -c '. /job/guest-lib.sh; . /job/scenario.sh; finish'
    echo $? >/job/out/rc
) 2>&1 | tee /job/out/scenario.log >/dev/console
echo "ZSE-DONE rc=$(cat /job/out/rc 2>/dev/null) uptime=$(cut -d' ' -f1 /proc/uptime)" >/dev/console
sync
echo o >/proc/sysrq-trigger
sleep 10
echo b >/proc/sysrq-trigger
