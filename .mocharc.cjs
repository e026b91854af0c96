// Mocha, with the tests in TypeScript through tsx. Colour only on a terminal, so CI logs
// and piped output stay plain text.
module.exports = {
    "node-option": ["import=tsx"],
    extension: ["ts"],
    spec: ["test/**/*.test.ts"],
    reporter: "./test/support/reporter.ts",
    timeout: 30000,
    color: Boolean(process.stdout.isTTY),
};
