import { environments } from './environments';
import { organization } from './organization';
import { queues } from './queues';
import releases from './releases.json';
import { services } from './services';
import { teams } from './teams';

/** The model as written, before validation. */
export const platformModelInput = { organization, environments, teams, services, queues, releases };
