// Mocha, with the tests in TypeScript through tsx. Colour only on a terminal, so CI logs
// and piped output stay plain text. `npx mocha test/x.test.ts` runs that file alone:
// mocha adds a config's spec to the command line's rather than replacing it.
const named = process.argv.some((arg) => arg.endsWith(".test.ts"));

module.exports = {
    "node-option": ["import=tsx"],
    extension: ["ts"],
    spec: named ? [] : ["test/**/*.test.ts"],
    reporter: "./test/support/reporter.ts",
    timeout: 30000,
    color: Boolean(process.stdout.isTTY),
};
