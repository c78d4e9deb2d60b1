/// The release this build is (`curate --version`).
public let curateVersion = "0.3.0"
