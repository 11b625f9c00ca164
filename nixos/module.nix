# NixOS module: services.zpool-status-exporter, a hardened systemd service
# that serves `zpool status` as Prometheus metrics.
{
  config,
  lib,
  pkgs,
  ...
}: let
  cfg = config.services.zpool-status-exporter;
  inherit (lib) mkOption types;

  # systemd expands `%` specifiers and `$VAR` in ExecStart, even inside
  # quotes; doubling them makes every argument reach the exporter verbatim.
  escapeSystemd = lib.replaceStrings ["%" "$"] ["%%" "$$"];

  args =
    [
      cfg.listen_address
      "--max-bind-retries"
      (toString cfg.max_bind_retries)
    ]
    ++ lib.optionals (cfg.basic_auth_keys_file != null) [
      "--basic-auth-keys-file"
      cfg.basic_auth_keys_file
    ]
    ++ cfg.extra_args;
in {
  options.services.zpool-status-exporter = {
    enable = lib.mkEnableOption "zpool-status-exporter, the Prometheus exporter for ZFS pool health (`zpool status`)";

    package = mkOption {
      type = types.package;
      default = pkgs.zpool-status-exporter;
      defaultText = lib.literalExpression "pkgs.zpool-status-exporter";
      description = ''
        The zpool-status-exporter package to run. The default comes from this
        flake's overlay, which the module adds to `nixpkgs.overlays`.
      '';
    };

    listen_address = mkOption {
      type = types.str;
      default = "127.0.0.1:8976";
      example = "[::]:8976";
      description = ''
        Address and port the HTTP server listens on (`/metrics`, and a
        landing page on `/`). The default only accepts connections from this
        host; open the port in `networking.firewall` yourself when Prometheus
        scrapes from elsewhere.
      '';
    };

    basic_auth_keys_file = mkOption {
      type = types.nullOr (types.strMatching "/.+");
      default = null;
      example = "/run/secrets/zpool-status-exporter-keys";
      description = ''
        Absolute path of a file of `user:password` lines (blank lines and `#`
        comments ignored). When set, `/metrics` requires HTTP basic auth with
        one of these pairs; `/` stays public. Give the path as a string: the
        file is read at run time and never copied into the world-readable Nix
        store (a Nix path value such as `./keys` is rejected for that
        reason). It must be readable by the service's user or group (for
        example owner `root`, group as in `group`, mode `0440`) and must not
        live under /home or /root, which the service cannot see
        (`ProtectHome`).
      '';
    };

    max_bind_retries = mkOption {
      type = types.ints.unsigned;
      default = 5;
      example = 10;
      description = ''
        How many times to retry binding the listen address when it fails (for
        example while the address is not configured yet), waiting 1, 2, 4, 8,
        16, 16, ... seconds between tries; 0 means a single attempt.
      '';
    };

    user = mkOption {
      type = types.str;
      default = "zpool-status-exporter";
      description = ''
        User the service runs as. It needs no privilege: `zpool status` only
        reads /dev/zfs. Created when `create_user_group` is true.
      '';
    };

    group = mkOption {
      type = types.str;
      default = "zpool-status-exporter";
      description = ''
        Group the service runs as. Created when `create_user_group` is true.
      '';
    };

    create_user_group = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether to create `user` as a system user and `group` as its group.
        Set it to false when they are defined elsewhere.
      '';
    };

    extra_args = mkOption {
      type = types.listOf types.str;
      default = [];
      example = ["--timeout" "15"];
      description = ''
        Further command-line arguments for the exporter, such as
        `--timeout SECS` or `--zpool PATH`.
      '';
    };
  };

  config = lib.mkMerge [
    {
      # Provides the default of `package`. Added even when the service is
      # disabled, so that nothing here depends on `enable` while nixpkgs
      # itself is being evaluated.
      nixpkgs.overlays = [(import ./overlay.nix)];
    }

    (lib.mkIf cfg.enable {
      assertions = [
        {
          assertion = config.boot.zfs.enabled;
          message = ''
            services.zpool-status-exporter.enable needs ZFS on this host: set
            boot.supportedFilesystems = [ "zfs" ]; (and networking.hostId), or
            disable the exporter.
          '';
        }
      ];

      warnings = lib.optional (cfg.basic_auth_keys_file != null && lib.hasPrefix builtins.storeDir cfg.basic_auth_keys_file) ''
        services.zpool-status-exporter.basic_auth_keys_file is in the Nix store
        (${cfg.basic_auth_keys_file}), where every local user can read the
        passwords. Keep the file outside the store and give its path as a string.
      '';

      users.users = lib.mkIf cfg.create_user_group {
        ${cfg.user} = {
          isSystemUser = true;
          inherit (cfg) group;
          description = "zpool-status-exporter service user";
        };
      };

      users.groups = lib.mkIf cfg.create_user_group {
        ${cfg.group} = {};
      };

      systemd.services.zpool-status-exporter = {
        description = "Prometheus exporter for ZFS pool health (zpool status)";
        wantedBy = ["multi-user.target"];
        # zfs.target: the pools are imported before the first scrape (the
        # exporter refuses to start when its first `zpool status` fails).
        # network-online.target: a listen address other than loopback exists.
        after = ["zfs.target" "network-online.target"];
        wants = ["zfs.target" "network-online.target"];
        # `zpool` on PATH, matching the loaded kernel module.
        path = [config.boot.zfs.package];

        # Restart never gives up: a remote client can still make the
        # process exit (tiny_http limits documented in README's Security
        # section), and an exporter that stays down hides degraded pools.
        # 0 turns systemd's start rate limit off; RestartSec below still
        # spaces the restarts out (2 s growing to 2 min).
        startLimitIntervalSec = 0;

        serviceConfig = {
          # READY=1 is sent after the first successful `zpool status` and bind.
          Type = "notify";
          ExecStart = "${cfg.package}/bin/zpool-status-exporter ${lib.escapeShellArgs (map escapeSystemd args)}";
          User = cfg.user;
          Group = cfg.group;

          Restart = "on-failure";
          # Restart delays grow from 2 s to 2 min (RestartSteps and
          # RestartMaxDelaySec need systemd >= 254; older ones ignore them
          # and keep the fixed 2 s).
          RestartSec = "2s";
          RestartSteps = 6;
          RestartMaxDelaySec = "2min";

          # tiny_http (the HTTP front) spends a thread and two descriptors on
          # every open connection, with no cap of its own: these limits let
          # about 2000 connections in. Past them the exporter exits non-zero
          # (its watchdog sees it can no longer accept) and Restart= brings it
          # back, instead of a live process with a closed port.
          LimitNOFILE = 4096;
          TasksMax = 2100;

          # Hardening. `zpool status` needs to read and ioctl /dev/zfs, read
          # /etc/zfs, /proc and /sys, and nothing else.
          NoNewPrivileges = true;
          CapabilityBoundingSet = "";
          AmbientCapabilities = "";
          ProtectSystem = "strict";
          ProtectHome = true;
          PrivateTmp = true;
          PrivateMounts = true;
          # Relaxation: not PrivateDevices=true, which would hide /dev/zfs;
          # instead a closed device list with /dev/zfs added. zpool opens it
          # read-write to issue its (read-only) ioctls.
          DevicePolicy = "closed";
          DeviceAllow = "/dev/zfs rw";
          # AF_UNIX for sd_notify(READY=1); AF_INET/AF_INET6 for HTTP.
          RestrictAddressFamilies = ["AF_INET" "AF_INET6" "AF_UNIX"];
          SystemCallFilter = ["@system-service" "~@privileged"];
          SystemCallArchitectures = "native";
          SystemCallErrorNumber = "EPERM";
          LockPersonality = true;
          MemoryDenyWriteExecute = true;
          UMask = "0077";
          ProtectKernelTunables = true;
          ProtectKernelModules = true;
          ProtectKernelLogs = true;
          ProtectControlGroups = true;
          ProtectClock = true;
          ProtectHostname = true;
          # Hides other processes only. Relaxation: not ProcSubset=pid,
          # which would hide /proc/spl (ZFS' kstats), read by a later feature.
          ProtectProc = "invisible";
          RestrictNamespaces = true;
          RestrictRealtime = true;
          RestrictSUIDSGID = true;
          RemoveIPC = true;
          # Relaxation: not PrivateUsers=true. OpenZFS answers some ioctls
          # differently to a process outside the initial user namespace
          # (it treats it like a non-global zone), so pools could vanish.
          # Relaxation: no PrivateNetwork or IPAddressDeny, since the
          # listen address is the user's choice.
        };
      };
    })
  ];
}
