# Evaluation test for module.nix: feeds it to nixpkgs' `lib.evalModules`
# together with minimal stand-in declarations of the few NixOS options it
# sets, and checks what it renders (ExecStart, Type, path, hardening, users,
# assertions). Needs no Nix store and builds nothing.
#
#   nix-instantiate --eval --strict nixos/eval-test.nix --argstr nixpkgsLib "$NIXPKGS_LIB"
#
# NIXPKGS_LIB is a checkout of nixpkgs or of nix-community/nixpkgs.lib, or
# the lib/ directory in either. Prints "eval-test: N passed, 0 failed", or
# fails with the list of checks that did not hold.
{nixpkgsLib ? builtins.getEnv "NIXPKGS_LIB"}: let
  lib =
    if nixpkgsLib == ""
    then throw "eval-test.nix: pass --argstr nixpkgsLib /path/to/nixpkgs (or set NIXPKGS_LIB)"
    else if builtins.pathExists (nixpkgsLib + "/lib/default.nix")
    then import (nixpkgsLib + "/lib")
    else import nixpkgsLib;

  fakePackage = name: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
  };
  exporter = fakePackage "zpool-status-exporter-0.1.0";
  zfs = fakePackage "zfs-user-2.2.7";
  bin = "${exporter}/bin/zpool-status-exporter";

  # Minimal stand-ins for the NixOS options the module sets or reads.
  standIns = {lib, ...}: let
    inherit (lib) mkOption types;
  in {
    options = {
      assertions = mkOption {
        type = types.listOf types.unspecified;
        default = [];
      };
      warnings = mkOption {
        type = types.listOf types.str;
        default = [];
      };
      boot.zfs.enabled = mkOption {
        type = types.bool;
        default = true;
      };
      boot.zfs.package = mkOption {
        type = types.package;
        default = zfs;
      };
      nixpkgs.overlays = mkOption {
        type = types.listOf types.unspecified;
        default = [];
      };
      systemd.services = mkOption {
        type = types.attrsOf types.anything;
        default = {};
      };
      users.users = mkOption {
        type = types.attrsOf types.anything;
        default = {};
      };
      users.groups = mkOption {
        type = types.attrsOf types.anything;
        default = {};
      };
    };
    config._module.args.pkgs = {zpool-status-exporter = exporter;};
  };

  eval = modules:
    (lib.evalModules {
      modules = [standIns ./module.nix] ++ modules;
    })
    .config;

  withExporter = settings: eval [{services.zpool-status-exporter = settings;}];

  full = withExporter {
    enable = true;
    listen_address = "127.0.0.1:1234";
    basic_auth_keys_file = "/run/keys/zpool-status-exporter";
    max_bind_retries = 10;
    extra_args = ["--timeout" "15"];
  };
  fullService = full.systemd.services.zpool-status-exporter;
  fullUnit = fullService.serviceConfig;

  defaults = withExporter {enable = true;};
  defaultsUnit = defaults.systemd.services.zpool-status-exporter.serviceConfig;

  disabled = withExporter {};

  ownUser = withExporter {
    enable = true;
    user = "prometheus";
    group = "monitoring";
    create_user_group = false;
  };

  noZfs = eval [
    {
      services.zpool-status-exporter.enable = true;
      boot.zfs.enabled = false;
    }
  ];

  specialChars = withExporter {
    enable = true;
    extra_args = ["--zpool" "/opt/100%/zpool$x"];
  };

  inStore = withExporter {
    enable = true;
    basic_auth_keys_file = "${builtins.storeDir}/00000000000000000000000000000000-keys";
  };

  # Evaluating this ExecStart must fail (a type error), not succeed.
  rejected = keysFile:
    !(builtins.tryEval
      (withExporter {
        enable = true;
        basic_auth_keys_file = keysFile;
      })
      .systemd
      .services
      .zpool-status-exporter
      .serviceConfig
      .ExecStart)
    .success;

  failingAssertions = config: builtins.filter (a: !a.assertion) config.assertions;

  overlay = builtins.head full.nixpkgs.overlays;
  moduleOptions = (lib.evalModules {modules = [standIns ./module.nix];}).options.services.zpool-status-exporter;

  expectedHardening = {
    Type = "notify";
    User = "zpool-status-exporter";
    Group = "zpool-status-exporter";
    Restart = "on-failure";
    RestartSec = "2s";
    LimitNOFILE = 4096;
    TasksMax = 2100;
    NoNewPrivileges = true;
    ProtectSystem = "strict";
    ProtectHome = true;
    PrivateTmp = true;
    DevicePolicy = "closed";
    DeviceAllow = "/dev/zfs rw";
    RestrictAddressFamilies = ["AF_INET" "AF_INET6" "AF_UNIX"];
    CapabilityBoundingSet = "";
    SystemCallFilter = ["@system-service" "~@privileged"];
    LockPersonality = true;
    MemoryDenyWriteExecute = true;
    UMask = "0077";
    ProtectKernelTunables = true;
    ProtectKernelModules = true;
    ProtectControlGroups = true;
  };

  checks =
    {
      execstart-full = {
        actual = fullUnit.ExecStart;
        expected = "${bin} ${lib.escapeShellArgs [
          "127.0.0.1:1234"
          "--max-bind-retries"
          "10"
          "--basic-auth-keys-file"
          "/run/keys/zpool-status-exporter"
          "--timeout"
          "15"
        ]}";
      };
      execstart-defaults = {
        actual = defaultsUnit.ExecStart;
        expected = "${bin} ${lib.escapeShellArgs ["127.0.0.1:8976" "--max-bind-retries" "5"]}";
      };
      execstart-no-auth-flag-by-default = {
        actual = lib.hasInfix "--basic-auth-keys-file" defaultsUnit.ExecStart;
        expected = false;
      };
      execstart-escapes-systemd-specifiers = {
        actual = lib.hasInfix "/opt/100%%/zpool$$x" specialChars.systemd.services.zpool-status-exporter.serviceConfig.ExecStart;
        expected = true;
      };
      path = {
        actual = fullService.path or "<unset>";
        expected = [zfs];
      };
      ordering = {
        actual = {inherit (fullService) after wants wantedBy;};
        expected = {
          after = ["zfs.target" "network-online.target"];
          wants = ["zfs.target" "network-online.target"];
          wantedBy = ["multi-user.target"];
        };
      };
      start-limit = {
        actual = {
          inherit (fullService) startLimitIntervalSec;
          burst = fullService.startLimitBurst or null;
        };
        expected = {
          startLimitIntervalSec = 0;
          burst = null;
        };
      };
      users-created = {
        actual = {
          user = full.users.users.zpool-status-exporter.isSystemUser;
          group = full.users.users.zpool-status-exporter.group;
          groups = builtins.attrNames full.users.groups;
        };
        expected = {
          user = true;
          group = "zpool-status-exporter";
          groups = ["zpool-status-exporter"];
        };
      };
      own-user-not-created = {
        actual = {
          users = ownUser.users.users;
          groups = ownUser.users.groups;
          inherit (ownUser.systemd.services.zpool-status-exporter.serviceConfig) User Group;
        };
        expected = {
          users = {};
          groups = {};
          User = "prometheus";
          Group = "monitoring";
        };
      };
      disabled-renders-nothing = {
        actual = {inherit (disabled.systemd) services;} // {inherit (disabled) users assertions;};
        expected = {
          services = {};
          users = {
            users = {};
            groups = {};
          };
          assertions = [];
        };
      };
      assertions-hold-with-zfs = {
        actual = failingAssertions full;
        expected = [];
      };
      assertion-without-zfs = {
        actual = map (a: lib.hasInfix "boot.supportedFilesystems" a.message) (failingAssertions noZfs);
        expected = [true];
      };
      keys-file-path-value-rejected = {
        actual = rejected ./eval-test.nix;
        expected = true;
      };
      keys-file-relative-string-rejected = {
        actual = rejected "keys";
        expected = true;
      };
      keys-file-in-store-warns = {
        actual = {
          store = builtins.length inStore.warnings;
          outside = full.warnings;
        };
        expected = {
          store = 1;
          outside = [];
        };
      };
      overlay-adds-package = {
        actual = builtins.attrNames (overlay {} {});
        expected = ["zpool-status-exporter"];
      };
      options-described = {
        actual = builtins.filter (name: !(moduleOptions.${name} ? description) || moduleOptions.${name}.description == "") (builtins.attrNames moduleOptions);
        expected = [];
      };
      options-present = {
        actual = builtins.attrNames moduleOptions;
        expected = [
          "basic_auth_keys_file"
          "create_user_group"
          "enable"
          "extra_args"
          "group"
          "listen_address"
          "max_bind_retries"
          "package"
          "user"
        ];
      };
    }
    // lib.mapAttrs' (key: value: {
      name = "serviceConfig-${key}";
      value = {
        actual = fullUnit.${key} or "<unset>";
        expected = value;
      };
    })
    expectedHardening;

  show = value: let
    shown = builtins.tryEval (builtins.toJSON value);
  in
    if shown.success
    then shown.value
    else "<not printable>";
  failed = lib.filterAttrs (_: check: check.actual != check.expected) checks;
  count = set: toString (builtins.length (builtins.attrNames set));
in
  if failed == {}
  then "eval-test: ${count checks} passed, 0 failed"
  else
    throw ("eval-test: ${count failed} failed:\n"
      + lib.concatStrings (lib.mapAttrsToList (name: check: "  ${name}: expected ${show check.expected}, got ${show check.actual}\n") failed))
