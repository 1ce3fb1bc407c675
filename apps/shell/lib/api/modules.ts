/** Each module's state in one tenant (its manifest, and whether it is configured there). */
import { moduleStateSchema } from '@afenda/contracts';
import { z } from 'zod';

import { getData, type Call } from './client';

export function createModulesApi(call: Call) {
  return {
    listModuleStates: () => getData(call, '/modules/state', z.array(moduleStateSchema)),
  };
}
