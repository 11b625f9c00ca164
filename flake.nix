{
  description = "zpool-status-exporter: a Prometheus exporter for ZFS pool health, with a NixOS module";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = {
    self,
    nixpkgs,
  }: let
    inherit (nixpkgs) lib;
    systems = ["x86_64-linux" "aarch64-linux"];
    forAllSystems = f:
      lib.genAttrs systems (system:
        f (import nixpkgs {
          inherit system;
          overlays = [self.overlays.default];
        }));

    # Every .nix file of the repository, formatted as alejandra formats it.
    formatCheck = pkgs:
      pkgs.runCommand "zpool-status-exporter-nix-format" {
        nativeBuildInputs = [pkgs.alejandra];
        src = lib.fileset.toSource {
          root = ./.;
          fileset = lib.fileset.fileFilter (file: lib.hasSuffix ".nix" file.name) ./.;
        };
      } ''
        cd "$src"
        alejandra --check .
        touch "$out"
      '';

    vmTests = pkgs:
      import ./nixos/vm-tests {
        inherit pkgs;
        nixosModule = self.nixosModules.default;
      };

    # The package, every VM test and the format check.
    ciChecks = pkgs:
      {
        package = pkgs.zpool-status-exporter;
        nix-format = formatCheck pkgs;
      }
      // lib.mapAttrs' (name: test: lib.nameValuePair "vm-test-${name}" test) (vmTests pkgs).tests;
  in {
    overlays.default = import ./nixos/overlay.nix;

    # The module adds overlays.default itself (for its `package` default).
    nixosModules.default = import ./nixos/module.nix;

    packages = forAllSystems (pkgs: {
      default = pkgs.zpool-status-exporter;
      zpool-status-exporter = pkgs.zpool-status-exporter;
      vm-tests = vmTests pkgs;
      ci = pkgs.linkFarm "zpool-status-exporter-ci" (lib.mapAttrsToList (name: path: {inherit name path;}) (ciChecks pkgs));
    });

    checks = forAllSystems ciChecks;

    devShells = forAllSystems (pkgs: {
      default = pkgs.mkShell {
        packages = [
          pkgs.cargo
          pkgs.rustc
          pkgs.clippy
          pkgs.rustfmt
          pkgs.alejandra
        ];
      };
    });

    formatter = forAllSystems (pkgs: pkgs.alejandra);
  };
}
