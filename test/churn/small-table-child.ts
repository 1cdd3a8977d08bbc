// The churn run of small-table.test.ts, inside the network namespace that test made:
// argv[2] the seconds; prints the report as one JSON line.
import { runChurn } from './run.js'

// Run only as small-table.test.ts runs it (with the seconds), not as a file of its own.
if (process.argv[2] === undefined) process.exit(0)
const seconds = Number(process.argv[2])
const report = await runChurn({ holders: 1, pairsPerHolder: 3000, udpPerHolder: 500, churners: 2, ratePerChurner: 2500 }, seconds, { rawEvery: 1 })
process.stdout.write(`${JSON.stringify(report)}\n`)
