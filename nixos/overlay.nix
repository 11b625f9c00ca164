# Adds `zpool-status-exporter` to nixpkgs. Used by flake.nix
# (`overlays.default`, `packages`) and by module.nix, whose `package`
# option defaults to `pkgs.zpool-status-exporter`.
final: prev: {
  zpool-status-exporter = final.callPackage ./package.nix {};
}
