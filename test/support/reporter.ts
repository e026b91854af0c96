/**
 * Mocha's spec output, then one plain last line `N passed, N failed` for CI to read.
 */
import Mocha from "mocha";

class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        let passed = 0;
        let failed = 0;
        runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => passed++);
        runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => failed++);
        // Spec prints its epilogue on EVENT_RUN_END; ours must come after it.
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            setImmediate(() => console.log(`${passed} passed, ${failed} failed`));
        });
    }
}

export = SummaryReporter;
