import { removeTempDirs } from './temp-dirs';

// Synthesized assemblies are large; no test file may leave one behind in /tmp.
afterAll(removeTempDirs);
