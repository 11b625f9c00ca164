# basic auth in the guest: 401 without credentials, 403 wrong or malformed, 200 right; / stays public
load_zfs
a=$(vdev a)
zpool create authpool "$a"
printf '# test keys\n\nalice:s3cret\nbob:hunter2\n' >/tmp/keys
chmod 0644 /tmp/keys
start_exporter --basic-auth-keys-file /tmp/keys

step "no credentials"
scrape /metrics
expect_code 401
check 'WWW-Authenticate: Basic realm="zpool-status-exporter"' \
    grep -qiF 'WWW-Authenticate: Basic realm="zpool-status-exporter"' "$HEADERS"
step "wrong password, unknown user, malformed header"
scrape /metrics -u alice:wrong
expect_code 403 "wrong password"
scrape /metrics -u mallory:s3cret
expect_code 403 "unknown user"
scrape /metrics -H 'Authorization: Basic !!!notbase64'
expect_code 403 "malformed"
step "right credentials"
scrape /metrics -u alice:s3cret
expect_code 200 alice
expect_metric 'zpool_pool_state{pool="authpool"}' 10
scrape /metrics -u bob:hunter2
expect_code 200 bob
step "landing page is public"
scrape /
expect_code 200 "/ without credentials"
expect_match 'zpool-status-exporter'
