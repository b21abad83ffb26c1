/**
 * The regression gate's decisions: from results files (stored or fresh) to a verdict per scenario.
 * Reads only results, never core; starting benchmark processes is scripts/gate's job.
 */
export { buildBaseline, parseBaseline, readBaseline, slimResults, writeBaseline, type BaselineFile, type StoredBaseline } from './baseline-file.js';
export { GATE_MODES, isCompared, matchesAny, matchesPattern, parseGateConfig, readGateConfig, thresholdFor, type GateConfig, type GateMode, type ModeConfig } from './config.js';
export { compareScenario, DECISION_DEFAULTS, VERDICTS, type Comparison, type Pairing, type Verdict } from './decide.js';
export { envMismatches, nodeMajor, type Env, type EnvMismatch } from './env-check.js';
export { runGateFlow, type GateFlowOptions, type GateOutcome, type GateStatus, type RoundRunner, type RoundRuns } from './flow.js';
export { formatOutcome, formatTable } from './format.js';
export { applySlowdown, INJECT_ENV, parseSlowdown, type Slowdown } from './inject.js';
export { calibrationFromScenarios, gateRun, scenarioFigure, type GateRun } from './runs.js';
