import Foundation
import Testing
@testable import CurateCore

struct PipelineConfigTests {
    @Test func theShippedPipelineLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try PipelineConfig.load(root.appendingPathComponent("Pipelines/emotions.yml"))
        #expect(config.labels.names == ["angry", "happy", "sad"])
        #expect(config.labels.canonical("sadness") == "sad")
        #expect(config.fetch.concurrency == 32 && config.fetch.perHost == 4 && config.fetch.maxBytes == 20 << 20)
    }

    @Test func missingSectionsUseDefaults() throws {
        let c = try PipelineConfig.parse("labels:\n  - name: a\nfaces:\n  min_face_size: 24\n")
        #expect(c.fetch == FetchSettings() && c.faces.minFaceSize == 24)
        let partial = try PipelineConfig.parse("labels: [{name: a}]\nfetch: {timeout: 5}\n")
        #expect(partial.fetch.timeout == 5 && partial.fetch.retries == FetchSettings().retries)
    }

    @Test func anUnknownKeyIsAnErrorNamingItAndTheClosestKnownOne() {
        #expect { try PipelineConfig.parse("labels: [{name: a}]\nfetch: {concurency: 8}\n", source: "p.yml") } throws: {
            "\($0)".contains("p.yml") && "\($0)".contains("unknown key 'fetch.concurency' (did you mean 'fetch.concurrency'?)")
        }
        #expect { try PipelineConfig.parse("labels: [{name: a}]\nfaces: {quality: {min_sharp: 3}}\n") } throws: {
            "\($0)".contains("faces.quality.min_sharp") && "\($0)".contains("faces.quality.min_sharpness")
        }
        #expect { try PipelineConfig.parse("labels: [{name: a}]\nexport: {}\n") } throws: { "\($0)".contains("unknown key 'export'") }
        #expect { try PipelineConfig.parse("labels: [{name: a, alias: [b]}]\n") } throws: { "\($0)".contains("labels[].alias") }
    }

    @Test func invalidSettingsAreClearErrors() {
        #expect { try PipelineConfig.parse("labels: [{name: a}]\nfetch: {concurrency: 0}\n", source: "p.yml") } throws: {
            "\($0)".contains("p.yml") && "\($0)".contains("concurrency")
        }
        #expect(throws: CurateError.self) { try PipelineConfig.parse("labels: []\n") }
        #expect(throws: CurateError.self) { try PipelineConfig.load(URL(fileURLWithPath: "/nonexistent.yml")) }
    }
}
